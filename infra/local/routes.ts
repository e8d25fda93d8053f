import type { FunctionSpec, HttpRoute } from '../../shared/runtime/functions';

export interface CompiledRoute {
  route: HttpRoute;
  spec: FunctionSpec;
  /** `POST /v1/cases/{id}/dispatch`, as API Gateway names it. */
  routeKey: string;
  pattern: RegExp;
  parameterNames: string[];
  /** Literal segments: API Gateway prefers the most specific route. */
  literalSegments: number;
}

export type RouteMatch =
  | { kind: 'match'; compiled: CompiledRoute; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'none' };

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

const compile = (spec: FunctionSpec, route: HttpRoute): CompiledRoute => {
  const parameterNames: string[] = [];
  let literalSegments = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        parameterNames.push(greedy[1]);
        return '(.+)';
      }
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter?.[1]) {
        parameterNames.push(parameter[1]);
        return '([^/]+)';
      }
      if (segment) literalSegments++;
      return escapeRegExp(segment);
    })
    .join('/');
  return {
    route,
    spec,
    routeKey: `${route.method} ${route.path}`,
    pattern: new RegExp(`^${source}$`),
    parameterNames,
    literalSegments,
  };
};

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(specs: FunctionSpec[]) {
    this.routes = specs
      .flatMap((spec) => spec.routes.map((route) => compile(spec, route)))
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  get all(): readonly CompiledRoute[] {
    return this.routes;
  }

  match(method: string, rawPath: string): RouteMatch {
    const allowed = new Set<string>();
    for (const compiled of this.routes) {
      const found = compiled.pattern.exec(rawPath);
      if (!found) continue;
      if (compiled.route.method !== method) {
        allowed.add(compiled.route.method);
        continue;
      }
      const pathParameters: Record<string, string> = {};
      compiled.parameterNames.forEach((name, index) => {
        pathParameters[name] = decode(found[index + 1] ?? '');
      });
      return { kind: 'match', compiled, pathParameters };
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed].sort() } : { kind: 'none' };
  }
}
