import { Annotations, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { DistrictConfig } from '../../shared/district/schema';
import { isChinaPartition } from './partition';

/** The roles of the permission model; with Cognito they are the user pool's groups. */
export const ROLES = [
  'reporter',
  'field_worker',
  'department_staff',
  'area_chief',
  'command_centre',
  'admin',
] as const;

export interface ClaimNames {
  role: string;
  department: string;
  zone: string;
}

/** The claims a Cognito ID token carries them in. */
export const COGNITO_CLAIMS: ClaimNames = {
  role: 'cognito:groups',
  department: 'custom:department',
  zone: 'custom:zone',
};

/** The schema's defaults when a district names an issuer but not its claims. */
const DEFAULT_CLAIMS: ClaimNames = { role: 'role', department: 'department', zone: 'zone' };

export interface IdentityProps {
  district: DistrictConfig;
}

/**
 * Who may call the API: the district's own OIDC issuer when its file names one, otherwise a Cognito
 * user pool created here (no self sign-up: staff accounts are made by an administrator).
 */
export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: string[];
  readonly claims: ClaimNames;
  private readonly districtId: string;
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;
  /** The cockpit's OAuth client and the pool's sign-in domain (`addWebClient`). */
  webClient?: UserPoolClient;
  domain?: UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { district } = props;
    this.districtId = district.id;
    const configured = district.identity;

    if (configured?.issuer) {
      if (!configured.audience) {
        throw new Error(`district ${district.id}: identity.audience is required with identity.issuer`);
      }
      this.issuer = configured.issuer;
      this.audience = configured.audience;
      this.claims = configured.claims ?? DEFAULT_CLAIMS;
      return;
    }

    if (isChinaPartition(this)) {
      Annotations.of(this).addWarningV2(
        'xietong:cognito-china',
        'Amazon Cognito user pools are not offered in the AWS China regions: give this district an ' +
          'OIDC issuer (identity.issuer + identity.audience in its district file) before deploying there.',
      );
    }

    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: `xietong-${district.id}-users`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      customAttributes: {
        // Mutable so an administrator can move staff; clients cannot write them (see the client).
        department: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        zone: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        // Complexity rules, as AwsSolutions-COG1 and the MLPS 2.0 (等保) baseline ask.
        requireSymbols: true,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES) {
      userPool.addGroup(`Group-${role}`, { groupName: role, description: `xietong role ${role}` });
    }
    const client = userPool.addClient('WebClient', {
      userPoolClientName: `xietong-${district.id}-web`,
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // Department and zone decide what a user may see: users must not be able to set them.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('department', 'zone'),
    });

    const stack = Stack.of(this);
    this.userPool = userPool;
    this.userPoolClient = client;
    // The HTTP API verifies ID tokens (they carry the custom attributes); their `aud` is the client id.
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`;
    this.audience = [client.userPoolClientId];
    this.claims = COGNITO_CLAIMS;
  }

  /**
   * The cockpit signs in with the authorization-code flow and PKCE (a public client: no secret in a
   * web page) on the pool's own domain, returning to the pages at `callbackUrls`. Its ID tokens are
   * accepted by the API too. Districts with their own issuer register the cockpit there instead.
   */
  addWebClient(callbackUrls: string[]): void {
    const userPool = this.userPool;
    if (!userPool || this.webClient) return;
    this.domain = userPool.addDomain('Domain', {
      // Prefixes are unique per region across all accounts: the account id keeps this one ours.
      cognitoDomain: { domainPrefix: `xietong-${this.districtId}-${Aws.ACCOUNT_ID}` },
    });
    this.webClient = userPool.addClient('CockpitClient', {
      userPoolClientName: `xietong-${this.districtId}-cockpit`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls: callbackUrls,
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('department', 'zone'),
    });
    this.audience.push(this.webClient.userPoolClientId);
  }
}
