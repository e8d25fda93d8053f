import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type Actor, ROLES, type Role } from '../domain/case';
import { ForbiddenActionError, UnauthenticatedError } from '../domain/errors';
import type { IdentityConfig } from '../runtime/config';

type ClaimValue = string | number | boolean | string[] | undefined;

/**
 * API Gateway hands array claims (e.g. Cognito's `cognito:groups`) to Lambda as "[a b]"; a plain
 * token claim may be a string or an array. Normalise all three to a list.
 */
const claimList = (value: ClaimValue): string[] => {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[') && text.endsWith(']'))
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  return text ? [text] : [];
};

const claimText = (value: ClaimValue): string | undefined => claimList(value)[0];

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/**
 * The acting person, from the claims of a token that API Gateway (or the local gateway) already
 * verified. Nothing else in the request is trusted for identity.
 */
export const actorFromEvent = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  identity: IdentityConfig,
): Actor => {
  const claims = event.requestContext.authorizer?.jwt?.claims as Record<string, ClaimValue> | undefined;
  const subject = claims ? claimText(claims.sub) : undefined;
  if (!claims || !subject) throw new UnauthenticatedError('a verified bearer token is required');
  // Defence in depth behind the authorizer: a token of any other issuer (the local one on AWS) is refused.
  if (claimText(claims.iss) !== identity.issuer) {
    throw new UnauthenticatedError('the token comes from an untrusted issuer');
  }
  const claimNames = identity.claims;
  const role = claimList(claims[claimNames.role]).find(isRole);
  if (!role)
    throw new ForbiddenActionError('use the API', `the token carries no known role (${ROLES.join(', ')})`);
  const name = claimText(claims.name) ?? claimText(claims['cognito:username']);
  const department = claimText(claims[claimNames.department]);
  const zone = claimText(claims[claimNames.zone]);
  return {
    subject,
    role,
    ...(name && { name }),
    ...(department && { department }),
    ...(zone && { zone }),
  };
};
