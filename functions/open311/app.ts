import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Case } from '../../shared/domain/case';
import { correlationIdOf, httpFunction } from '../../shared/http/middleware';
import { header } from '../../shared/http/request';
import { Open311Error, open311ErrorResponse, open311RefusalOf } from '../../shared/open311/errors';
import { type Open311Format, open311Response, parseResourceFile } from '../../shared/open311/format';
import { parseForm, reportInputOf } from '../../shared/open311/post-request';
import { requestsFilterOf } from '../../shared/open311/query';
import { publicServiceRequest } from '../../shared/open311/requests';
import { discoveryDocument, serviceDefinition, serviceList } from '../../shared/open311/services';
import type { IntegrationKeyStore, IntegrationRefusals, RateLimiter } from '../../shared/ports';
import { integrationRefusalMetrics } from '../../shared/runtime/integration-refusals';
import { logger, metrics } from '../../shared/runtime/observability';
import { admitIntegrationCaller } from '../../shared/usecases/admit-integration-caller';
import { findServiceRequests } from '../../shared/usecases/open311-requests';
import { type SubmitReportDeps, submitReport } from '../../shared/usecases/submit-report';

export interface Open311Deps extends SubmitReportDeps {
  keys: IntegrationKeyStore;
  rateLimiter: RateLimiter;
  /** Where refused machine callers are counted (default: CloudWatch metrics). */
  refusals?: IntegrationRefusals;
}

export const OPEN311_BASE_PATH = '/open311/v2';

/** The spec's "endpoint": where this API answers, as the client reached it. */
const endpointUrl = (event: APIGatewayProxyEventV2): string => {
  const host = header(event, 'host') ?? event.requestContext.domainName;
  const scheme = header(event, 'x-forwarded-proto') ?? (/^(localhost|127\.)/.test(host) ? 'http' : 'https');
  return `${scheme}://${host}${OPEN311_BASE_PATH}`;
};

/** One jurisdiction per stack: jurisdiction_id may be left out, but another one is not found. */
const checkJurisdiction = (deps: Open311Deps, jurisdictionId: string | undefined) => {
  if (jurisdictionId !== undefined && jurisdictionId !== '' && jurisdictionId !== deps.district.config.id) {
    throw new Open311Error(
      404,
      `jurisdiction_id "${jurisdictionId}" was not found (this is "${deps.district.config.id}")`,
    );
  }
};

const getRequests = async (deps: Open311Deps, event: APIGatewayProxyEventV2): Promise<Case[]> => {
  const filter = requestsFilterOf(event.queryStringParameters ?? {}, deps.clock.now());
  checkJurisdiction(deps, filter.jurisdictionId);
  const found = await findServiceRequests(deps, filter);
  if (!found.complete) logger.warn('open311 search stopped at the read limit', { read: found.read, filter });
  return found.cases;
};

const getCase = async (deps: Open311Deps, id: string): Promise<Case> => {
  const stored = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await deps.store.get(id) : undefined;
  if (!stored) throw new Open311Error(404, `service_request_id "${id}" was not found`);
  return stored.case;
};

const bodyText = (event: APIGatewayProxyEventV2): string =>
  event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';

const postRequest = async (deps: Open311Deps, event: APIGatewayProxyEventV2) => {
  const form = parseForm(bodyText(event));
  // The key is in the form, so no authorizer can sit in front of this route: the function checks it.
  const { principal } = await admitIntegrationCaller(
    { ...deps, refusals: deps.refusals ?? integrationRefusalMetrics },
    {
      credential: { kind: 'apiKey', presented: form.apiKey, field: 'api_key' },
      action: 'report',
      source: 'open311',
    },
  );
  checkJurisdiction(deps, form.jurisdictionId);
  const serviceCode = form.fields.get('service_code');
  if (serviceCode === undefined) throw new Open311Error(400, 'service_code was not provided');
  const category = deps.district.category(serviceCode);
  if (!category) throw new Open311Error(404, `service_code "${serviceCode}" was not found`);
  const result = await submitReport(deps, {
    input: reportInputOf(form, category.name.zh),
    actor: principal.actor,
    correlationId: correlationIdOf(event),
  });
  metrics.addMetric('Open311RequestsCreated', 'Count', 1);
  const lead = deps.district.department(category.lead);
  return [
    {
      service_request_id: result.case.id,
      service_notice: `已受理，将由${lead?.name.zh ?? '责任部门'}处理 / Received; ${lead?.name.en ?? 'the responsible department'} will handle it`,
      account_id: null,
    },
  ];
};

/** The answer to one route, in the format the extension picked. */
const answer = async (
  deps: Open311Deps,
  event: APIGatewayProxyEventV2,
  file: { name: string; format: Open311Format },
): Promise<APIGatewayProxyStructuredResultV2> => {
  const { format, name } = file;
  const notFound = () => new Open311Error(404, `${event.rawPath} is not a GeoReport v2 resource`);
  const query = event.queryStringParameters ?? {};
  switch (event.routeKey) {
    case `GET ${OPEN311_BASE_PATH}/{file}`:
      if (name === 'discovery')
        return open311Response(
          200,
          format,
          'discovery',
          discoveryDocument(deps.district, endpointUrl(event)),
        );
      if (name === 'services') {
        checkJurisdiction(deps, query.jurisdiction_id);
        return open311Response(200, format, 'services', serviceList(deps.district));
      }
      if (name === 'requests') {
        const cases = await getRequests(deps, event);
        return open311Response(
          200,
          format,
          'service_requests',
          cases.map((c) => publicServiceRequest(c, deps.district)),
        );
      }
      throw notFound();
    case `GET ${OPEN311_BASE_PATH}/services/{file}`:
      checkJurisdiction(deps, query.jurisdiction_id);
      return open311Response(200, format, 'service_definition', serviceDefinition(deps.district, name));
    case `GET ${OPEN311_BASE_PATH}/requests/{file}`: {
      checkJurisdiction(deps, query.jurisdiction_id);
      const c = await getCase(deps, name);
      return open311Response(200, format, 'service_requests', [publicServiceRequest(c, deps.district)]);
    }
    case `GET ${OPEN311_BASE_PATH}/tokens/{file}`: {
      checkJurisdiction(deps, query.jurisdiction_id);
      // The token is the case id; the request id is given once the router has registered the case.
      const c = await getCase(deps, name).catch(() => {
        throw new Open311Error(404, `token "${name}" was not found`);
      });
      const routed = c.status !== 'reported';
      return open311Response(200, format, 'service_requests', [
        { ...(routed && { service_request_id: c.id }), token: c.id },
      ]);
    }
    case `POST ${OPEN311_BASE_PATH}/{file}`:
      if (name !== 'requests') throw notFound();
      return open311Response(201, format, 'service_requests', await postRequest(deps, event));
    default:
      throw notFound();
  }
};

/**
 * Open311 GeoReport v2 at /open311/v2: discovery, services, service definitions, requests (search,
 * one, create) and tokens, each in XML (the spec's required format) and JSON by the path's
 * extension. Every refusal is the spec's error list, never problem+json.
 */
export const makeHandler = (deps: Open311Deps) =>
  httpFunction(async (event: APIGatewayProxyEventV2) => {
    const file = parseResourceFile(event.pathParameters?.file);
    const format = file?.format ?? 'xml';
    try {
      if (!file)
        throw new Open311Error(404, `${event.rawPath} is not a GeoReport v2 resource (.xml or .json)`);
      return await answer(deps, event, file);
    } catch (error) {
      const refusal = open311RefusalOf(error);
      if (refusal.status >= 500) logger.error('open311 request failed', { error: error as Error });
      else
        logger.info('open311 request refused', { status: refusal.status, description: refusal.description });
      metrics.addMetric(refusal.status >= 500 ? 'ServerErrors' : 'ClientErrors', 'Count', 1);
      return open311ErrorResponse(refusal, format);
    }
  });
