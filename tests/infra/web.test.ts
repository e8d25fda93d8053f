import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import type { DistrictStack } from '../../infra/stack/district-stack';
import { API_PATH_PATTERNS } from '../../infra/stack/web';
import { onlyResourceOf, resourcesOf, type TestApp, testApp } from './synth';

/**
 * The cockpit on AWS: a private bucket only CloudFront reads, the API behind the same domain
 * (uncached), security headers, and a Cognito OAuth client for the pages whose ID tokens the API
 * accepts. One synth with a stand-in build (tests/infra/fixtures/web) and one without.
 */
let synth: TestApp;
let stack: DistrictStack;
let template: Template;
let unbuilt: Template;

beforeAll(() => {
  synth = testApp({ nag: false });
  stack = buildDistrictApp(synth.app, { district: 'sandun', webAssetsDir: 'tests/infra/fixtures/web' });
  const liangzhu = buildDistrictApp(synth.app, { district: 'liangzhu' });
  template = Template.fromStack(stack);
  unbuilt = Template.fromStack(liangzhu);
});
afterAll(() => synth.dispose());

describe('web hosting', () => {
  it('keeps the site bucket private, encrypted, TLS-only and logged', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(JSON.stringify(bucket.Properties.BucketEncryption)).toContain('AES256');
    }
    const site = buckets.find(([id]) => id.startsWith('WebSite'));
    expect(site?.[1].Properties.LoggingConfiguration).toBeDefined();
    // Every bucket policy denies plain HTTP.
    for (const [, policy] of resourcesOf(template, 'AWS::S3::BucketPolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets only this distribution read the bucket (origin access control), over HTTPS', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [, distribution] = onlyResourceOf(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toBeDefined();
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https' });
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').map(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    expect(policies.some((p) => p.includes('cloudfront.amazonaws.com') && p.includes('AWS:SourceArn'))).toBe(
      true,
    );
  });

  it('sends the API paths to the HTTP API uncached, with the caller headers but not the Host', () => {
    const [, distribution] = onlyResourceOf(template, 'AWS::CloudFront::Distribution');
    const behaviors = (
      distribution.Properties.DistributionConfig as { CacheBehaviors: Record<string, unknown>[] }
    ).CacheBehaviors;
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual([...API_PATH_PATTERNS].sort());
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
        AllowedMethods: expect.arrayContaining(['POST', 'DELETE']),
      });
    }
  });

  it('sends a content security policy and the other security headers with the pages', () => {
    const [, policy] = onlyResourceOf(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const headers = JSON.stringify(policy.Properties);
    expect(headers).toContain("default-src 'self'");
    expect(headers).toContain("frame-ancestors 'none'");
    expect(headers).toContain('StrictTransportSecurity');
  });

  it('gives the pages a Cognito authorization-code client on the distribution domain, accepted by the API', () => {
    const clients = resourcesOf(template, 'AWS::Cognito::UserPoolClient');
    const cockpit = clients.find(([id]) => id.includes('CockpitClient'))?.[1];
    expect(cockpit?.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
    });
    expect(JSON.stringify(cockpit?.Properties.CallbackURLs)).toContain('DomainName');
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const jwt = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').find(
      ([, a]) => a.Properties.AuthorizerType === 'JWT',
    );
    const audience = (jwt?.[1].Properties.JwtConfiguration as { Audience: unknown[] } | undefined)?.Audience;
    expect(audience).toHaveLength(2);
    template.hasOutput('CockpitUrl', {});
  });

  it('deploys the built app with config.json, and says so when there is no build', () => {
    const [, deployment] = onlyResourceOf(template, 'Custom::CDKBucketDeployment');
    expect((deployment.Properties.SourceObjectKeys as unknown[]).length).toBe(2);
    const [, unbuiltDeployment] = onlyResourceOf(unbuilt, 'Custom::CDKBucketDeployment');
    expect((unbuiltDeployment.Properties.SourceObjectKeys as unknown[]).length).toBe(1);
    const warnings = Annotations.fromStack(synth.app.node.findChild('Xietong-liangzhu') as never).findInfo(
      '*',
      Match.stringLikeRegexp('web app is not part of this synth'),
    );
    expect(warnings.length).toBe(1);
    // A district with its own issuer has no user pool: no Cognito client, one audience.
    unbuilt.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });
});
