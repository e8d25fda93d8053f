import { type IntegrationPrincipal, integrationPrincipalOf } from '../auth/integration';
import { authorize } from '../domain/authorization';
import type { Source } from '../domain/case';
import {
  DomainError,
  ForbiddenActionError,
  RateLimitExceededError,
  SourceNotAllowedError,
  UnauthenticatedError,
} from '../domain/errors';
import type { IntegrationKey, SignedAction } from '../domain/integration-key';
import type { IntegrationKeyStore, IntegrationRefusals } from '../ports';
import { checkIntegrationKey } from './integration-keys';
import { consumeRateLimit, type RateLimitDeps } from './rate-limit';
import { type SignedRequest, type VerifyDeps, verifySignedRequest } from './signed-requests';

/**
 * Admitting a machine caller, the same way on every route that takes one: who it is (the key
 * authorizer's word, a key presented in the request, or a signature), whether its key may do what
 * the route does and speaks for the route's source, and whether it is within its per-minute budget.
 * The budget is spent before the body is read, so a client sending garbage in a loop is throttled
 * too. Refusals are counted through the `refusals` port and thrown as the named errors the edge
 * maps (401/403/429 problems, or Open311's error list).
 */
export interface AdmissionDeps extends RateLimitDeps {
  refusals: IntegrationRefusals;
}

/** A route behind the key authorizer (`auth: 'apiKey'`): the principal it vouched for. */
export interface AuthorizerCredential {
  kind: 'authorizer';
  principal: IntegrationPrincipal;
}

/** A key the function checks itself, where no authorizer can read it (Open311's form field). */
export interface ApiKeyCredential {
  kind: 'apiKey';
  presented: string | undefined;
  /** The request part that carries it, named in the refusal (`api_key`). */
  field: string;
}

/** An HMAC-signed request (department events, camera alerts); the signature is the credential. */
export interface SignatureCredential {
  kind: 'signature';
  request: SignedRequest;
  /** The department in the path: the key must speak for it. */
  department?: string;
}

export interface KeyedAdmission {
  credential: AuthorizerCredential | ApiKeyCredential;
  action: 'report';
  /** The source the route speaks for (`hotline`, `open311`): the key must be issued for it. */
  source?: Source;
}

export interface SignedAdmission {
  credential: SignatureCredential;
  action: SignedAction;
  source?: Source;
}

export interface AdmittedCaller {
  principal: IntegrationPrincipal;
  /** The stored key, when the function read it itself (presented or signed). */
  key?: IntegrationKey;
}

/** A key reports only as its own source (the hotline key cannot pose as a camera). */
export const requireSource = (principal: IntegrationPrincipal, given: string): void => {
  if (principal.source !== given) throw new SourceNotAllowedError(principal.source, given);
};

const ruleOf = (error: unknown) => (error instanceof DomainError ? error.rule : undefined);

/** The key behind a presented or signed credential; every refusal is counted once, here. */
const identify = async (
  deps: AdmissionDeps & Partial<VerifyDeps>,
  credential: AuthorizerCredential | ApiKeyCredential | SignatureCredential,
  action: string,
): Promise<AdmittedCaller> => {
  if (credential.kind === 'authorizer') return { principal: credential.principal };
  const refused = (reason?: string, keyId?: string) =>
    deps.refusals.count({
      stage: 'credential',
      credential: credential.kind,
      action,
      ...(reason !== undefined && { reason }),
      ...(keyId !== undefined && { keyId }),
    });
  if (!deps.keys)
    throw new Error('admitting a presented or signed credential needs the integration key store');
  if (credential.kind === 'apiKey') {
    const check = await checkIntegrationKey({ keys: deps.keys }, credential.presented);
    if (!check.valid) {
      refused(check.reason, check.keyId);
      const { field, presented } = credential;
      throw new UnauthenticatedError(presented ? `${field} is not valid` : `${field} was not provided`);
    }
    return { principal: integrationPrincipalOf(check.key), key: check.key };
  }
  if (!deps.seen) throw new Error('admitting a signed request needs the seen-signatures store');
  try {
    const key = await verifySignedRequest(
      { keys: deps.keys, seen: deps.seen, clock: deps.clock },
      credential.request,
      {
        action: action as SignedAction,
        ...(credential.department !== undefined && { department: credential.department }),
      },
    );
    return { principal: integrationPrincipalOf(key), key };
  } catch (error) {
    refused(ruleOf(error), credential.request.keyId);
    throw error;
  }
};

/** The caller, once admitted; a signed or presented credential also yields its stored key. */
export function admitIntegrationCaller(
  deps: AdmissionDeps & VerifyDeps,
  admission: SignedAdmission,
): Promise<Required<AdmittedCaller>>;
export function admitIntegrationCaller(
  deps: AdmissionDeps & { keys: IntegrationKeyStore },
  admission: KeyedAdmission & { credential: ApiKeyCredential },
): Promise<Required<AdmittedCaller>>;
export function admitIntegrationCaller(
  deps: AdmissionDeps,
  admission: KeyedAdmission,
): Promise<AdmittedCaller>;
export async function admitIntegrationCaller(
  deps: AdmissionDeps & Partial<VerifyDeps>,
  admission: KeyedAdmission | SignedAdmission,
): Promise<AdmittedCaller> {
  const { credential, action, source } = admission;
  const admitted = await identify(deps, credential, action);
  const { principal } = admitted;
  // A signature was checked against the key's actions already (and refused as a bad signature).
  if (credential.kind !== 'signature') {
    authorize(principal.actor, 'report');
    if (!principal.actions.includes(action)) {
      throw new ForbiddenActionError(action, `this integration key may not ${action}`);
    }
  }
  if (source !== undefined) requireSource(principal, source);
  try {
    await consumeRateLimit(deps, principal.keyId, principal.rateLimitPerMinute);
  } catch (error) {
    if (error instanceof RateLimitExceededError) {
      deps.refusals.count({ stage: 'rate', credential: credential.kind, action, keyId: principal.keyId });
    }
    throw error;
  }
  return admitted;
}
