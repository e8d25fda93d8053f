import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import { asList, onlyResourceOf, policyStatements, resourcesOf, type TestApp, testApp } from './synth';

const REGION = 'cn-northwest-1';

const ENVIRONMENT = { region: REGION, account: '123456789012' };

let sandunApp: TestApp;
let liangzhuApp: TestApp;
let template: Template;
let annotations: Annotations;
let liangzhu: Template;

beforeAll(() => {
  // Sandun has no issuer, so its stack creates a Cognito user pool, and CloudFormation's own
  // validation rejects the Cognito types in cn-northwest-1: synthesize it without that validation.
  sandunApp = testApp();
  const stack = buildDistrictApp(sandunApp.app, { district: 'sandun', env: ENVIRONMENT });
  template = Template.fromStack(stack);
  annotations = Annotations.fromStack(stack);
  // Liangzhu brings its own OIDC issuer: the deployable China configuration, fully validated.
  liangzhuApp = testApp({ validate: true });
  liangzhu = Template.fromStack(
    buildDistrictApp(liangzhuApp.app, { district: 'liangzhu', env: ENVIRONMENT }),
  );
});
afterAll(() => {
  sandunApp.dispose();
  liangzhuApp.dispose();
});

type Json = unknown;

/**
 * Every place an ARN is assembled: literal strings that contain `arn:`, and `Fn::Join` lists whose
 * piece ends in `arn:` (the partition is then the next piece).
 */
const arnPartitions = (node: Json, found: Json[] = []): Json[] => {
  if (typeof node === 'string') {
    for (const match of node.matchAll(/arn:([^:]*):/g)) found.push(match[1]);
    if (/arn:\$\{AWS::Partition\}:/.test(node)) found.push({ Ref: 'AWS::Partition' });
  } else if (Array.isArray(node)) {
    node.forEach((item) => void arnPartitions(item, found));
  } else if (node && typeof node === 'object') {
    const join = (node as Record<string, Json>)['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      const pieces = join[1] as Json[];
      pieces.forEach((piece, i) => {
        if (typeof piece === 'string' && piece.endsWith('arn:')) found.push(pieces[i + 1]);
      });
    }
    for (const value of Object.values(node)) arnPartitions(value, found);
  }
  return found;
};

describe('Sandun in AWS China (cn-northwest-1)', () => {
  it('has no literal arn:aws: anywhere', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('arn:aws:');
  });

  it('builds every ARN in the aws-cn partition', () => {
    const partitions = arnPartitions(template.toJSON()).filter((p) => p !== ''); // `arn:` inside a Join piece
    expect(partitions.length).toBeGreaterThan(0);
    for (const partition of partitions) {
      expect([{ Ref: 'AWS::Partition' }, 'aws-cn']).toContainEqual(partition);
    }
  });

  it('builds the Cognito issuer from the URL suffix (amazonaws.com.cn)', () => {
    const [poolId] = onlyResourceOf(template, 'AWS::Cognito::UserPool');
    const jwtAuthorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').filter(
      ([, a]) => a.Properties.AuthorizerType === 'JWT',
    );
    expect(jwtAuthorizers).toHaveLength(1);
    const [, authorizer] = jwtAuthorizers[0]!;
    const issuer = (authorizer.Properties.JwtConfiguration as { Issuer: { 'Fn::Join': [string, Json[]] } })
      .Issuer;
    const [, pieces] = issuer['Fn::Join'];
    expect(pieces).toContainEqual({ Ref: 'AWS::URLSuffix' });
    const resolved = pieces
      .map((piece) => {
        if (typeof piece === 'string') return piece;
        const ref = (piece as { Ref?: string }).Ref;
        if (ref === 'AWS::URLSuffix') return RegionInfo.get(REGION).domainSuffix;
        if (ref === 'AWS::Region') return REGION;
        if (ref === poolId) return '<pool-id>';
        throw new Error(`unexpected piece ${JSON.stringify(piece)}`);
      })
      .join('');
    expect(resolved).toBe('https://cognito-idp.cn-northwest-1.amazonaws.com.cn/<pool-id>');
  });

  it('turns X-Ray tracing off (Lambda has no X-Ray integration in China) and grants no X-Ray access', () => {
    for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
      // CDK's deployment handler for the cockpit has no Powertools to switch off.
      if (!id.startsWith('Fn')) continue;
      expect(fn.Properties.Environment).toMatchObject({ Variables: { POWERTOOLS_TRACE_ENABLED: 'false' } });
    }
    const wildcards = policyStatements(template).filter(
      ({ type, statement, resource }) =>
        type !== 'AWS::KMS::Key' &&
        asList(statement.Resource).includes('*') &&
        // CloudFront invalidations after a cockpit deploy (no resource-level permissions; no X-Ray).
        !resource.startsWith('CustomCDKBucketDeployment'),
    );
    // Only the deadline timers' log delivery and the stream consumer's ListStreams (no
    // resource-level permissions either), and no X-Ray in them.
    expect(wildcards.map(({ resource }) => resource).sort()).toEqual([
      expect.stringMatching(/^FnaggregatecasesRoleDefaultPolicy/),
      expect.stringMatching(/^TimersStateMachineRoleDefaultPolicy/),
    ]);
    expect(
      wildcards.flatMap(({ statement }) => asList(statement.Action)).filter((a) => a.startsWith('xray:')),
    ).toEqual([]);
  });

  it('warns that Cognito user pools need replacing by an OIDC issuer there', () => {
    annotations.hasWarning(
      '/Xietong-sandun/Identity',
      Match.stringLikeRegexp('Cognito user pools are not offered'),
    );
  });
});

describe('Liangzhu in AWS China (cn-northwest-1)', () => {
  it('passes the CloudFormation validation for the region, with its own issuer and no user pool', () => {
    liangzhu.resourceCountIs('AWS::Cognito::UserPool', 0);
    liangzhu.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://id.liangzhu.example.gov.cn/oidc' },
    });
  });

  it('has no literal arn:aws: and builds every ARN in the aws-cn partition', () => {
    expect(JSON.stringify(liangzhu.toJSON())).not.toContain('arn:aws:');
    for (const partition of arnPartitions(liangzhu.toJSON()).filter((p) => p !== '')) {
      expect([{ Ref: 'AWS::Partition' }, 'aws-cn']).toContainEqual(partition);
    }
  });
});
