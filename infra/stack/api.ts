import { Duration, Lazy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  API_KEY_HEADER,
  authOf,
  authorizerOf,
  type HttpRoute as RouteSpec,
} from '../../shared/runtime/functions';
import type { XietongFunction } from './functions';
import type { Identity } from './identity';

/** One JSON object per request; `$context` variables of HTTP APIs. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  userAgent: '$context.identity.userAgent',
  subject: '$context.authorizer.claims.sub',
  // The integration key's id (never the key) on machine requests.
  integrationKey: '$context.authorizer.keyId',
} as const;

export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'];

export interface ApiProps {
  districtId: string;
  functions: XietongFunction[];
  identity: Identity;
  /** Origins of the cockpit and field pages. */
  corsOrigins: string[];
  throttle: { rateLimit: number; burstLimit: number };
}

/**
 * The district's HTTP API: one route per route of FUNCTIONS, each non-public route behind the JWT
 * authorizer or (`auth: 'apiKey'`) the integration-key Lambda authorizer, access logs and
 * throttling on the default stage.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly authorizer: HttpJwtAuthorizer;
  /** The Lambda authorizer of the integration routes, when FUNCTIONS has one. */
  readonly keyAuthorizer?: HttpLambdaAuthorizer;
  /** The routes without the authorizer (FUNCTIONS' `public: true`). */
  readonly publicRoutes: HttpRoute[] = [];
  /** The routes behind the integration-key authorizer. */
  readonly apiKeyRoutes: HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `xietong-${props.districtId}`,
      description: `xietong case coordination API for ${props.districtId}`,
      // The default stage is created below, with access logs and throttling.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: CORS_ALLOWED_HEADERS,
        exposeHeaders: ['Location', 'ETag'],
        maxAge: Duration.hours(1),
      },
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.identity.issuer, {
      authorizerName: `xietong-${props.districtId}-jwt`,
      // Lazy: the cockpit's OAuth client joins the audience after the API exists (it needs the
      // CloudFront domain, which needs the API).
      jwtAudience: Lazy.list({ produce: () => props.identity.audience }),
    });

    const keyAuthorizerFunction = props.functions.find((fn) => authorizerOf(fn.spec) === 'apiKey');
    if (keyAuthorizerFunction) {
      this.keyAuthorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', keyAuthorizerFunction.function, {
        authorizerName: `xietong-${props.districtId}-api-key`,
        identitySource: [`$request.header.${API_KEY_HEADER}`],
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        // No caching: a revoked key is refused on its very next request.
        resultsCacheTtl: Duration.seconds(0),
      });
    }
    const authorizerFor = (route: RouteSpec) => {
      const auth = authOf(route);
      if (auth !== 'apiKey') return auth === 'jwt' ? this.authorizer : undefined;
      if (!this.keyAuthorizer) {
        throw new Error(
          `${route.method} ${route.path} needs the apiKey authorizer: no function authorizes apiKey`,
        );
      }
      return this.keyAuthorizer;
    };

    for (const fn of props.functions) {
      if (fn.spec.routes.length === 0) continue;
      const integration = new HttpLambdaIntegration(`${fn.spec.name}-integration`, fn.function);
      for (const route of fn.spec.routes) {
        const authorizer = authorizerFor(route);
        const added = this.httpApi.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          ...(authorizer && { authorizer }),
        });
        if (authOf(route) === 'none') this.publicRoutes.push(...added);
        if (authOf(route) === 'apiKey') this.apiKeyRoutes.push(...added);
      }
    }
  }

  get url(): string {
    return this.stage.url;
  }
}
