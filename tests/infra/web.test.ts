import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp, PROJECT_ROOT } from '../../infra/district-app';
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

  it('sends the API paths and nothing else to the HTTP API', () => {
    // (Sandun has no base map: no tile paths.)
    expect(JSON.stringify(template.toJSON())).not.toContain('/basemap/');
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

/** The `img-src` sources of a template's content security policy (a token reads `<token>`). */
const imageSources = (of: Template) => {
  const [, policy] = onlyResourceOf(of, 'AWS::CloudFront::ResponseHeadersPolicy');
  const value = (
    policy.Properties as {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
      };
    }
  ).ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
  const flat = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : v && typeof v === 'object' && 'Fn::Join' in v
        ? ((v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] ?? []).map(flat).join('')
        : '<token>';
  return /img-src ([^;]*)/.exec(flat(value))?.[1]?.split(' ') ?? [];
};

describe('base maps', () => {
  it('fetches a keyed source (天地图) through the cockpit domain, the key from SSM at deploy time', () => {
    const [, distribution] = onlyResourceOf(unbuilt, 'AWS::CloudFront::Distribution');
    const behaviors = (
      distribution.Properties.DistributionConfig as { CacheBehaviors: Record<string, unknown>[] }
    ).CacheBehaviors;
    for (const layer of ['vec', 'cva']) {
      const behavior = behaviors.find((b) => b.PathPattern === `/basemap/${layer}/*`);
      expect(behavior).toMatchObject({
        AllowedMethods: ['GET', 'HEAD'],
        FunctionAssociations: [expect.objectContaining({ EventType: 'viewer-request' })],
      });
    }
    const [, fn] = onlyResourceOf(unbuilt, 'AWS::CloudFront::Function');
    const code = JSON.stringify(fn.Properties.FunctionCode);
    expect(code).toContain('tk');
    // The key is a reference to the district's SSM parameter, resolved by CloudFormation.
    const parameters = unbuilt.toJSON().Parameters as Record<string, { Type: string; Default?: string }>;
    const keyParameter = Object.entries(parameters).find(
      ([, p]) => p.Default === '/xietong/liangzhu/basemap-key',
    );
    expect(keyParameter?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    expect(code).toContain(keyParameter?.[0]);
    // Same origin: the pages load no tiles from elsewhere.
    expect(imageSources(unbuilt).some((source) => source.includes('tianditu'))).toBe(false);
  });

  it('allows exactly the tile hosts of an open source (高德) in the pages, and the evidence bucket', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-districts-'));
    try {
      const sandun = JSON.parse(readFileSync(join(PROJECT_ROOT, 'districts/sandun.json'), 'utf8'));
      copyFileSync(join(PROJECT_ROOT, 'districts/catalogue.json'), join(dir, 'catalogue.json'));
      writeFileSync(
        join(dir, 'sandun.json'),
        JSON.stringify({
          ...sandun,
          basemap: {
            crs: 'gcj02',
            layers: [
              {
                id: 'road',
                url: 'https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}',
                subdomains: '1234',
              },
            ],
            attribution: '© 高德地图',
          },
        }),
      );
      const other = testApp({ nag: false });
      try {
        const amap = Template.fromStack(
          buildDistrictApp(other.app, { district: 'sandun', districtsDir: dir }),
        );
        const sources = imageSources(amap);
        expect(sources.filter((source) => source.includes('autonavi'))).toEqual(
          [1, 2, 3, 4].map((s) => `https://webrd0${s}.is.autonavi.com`),
        );
        expect(sources).not.toContain('https:');
        expect(sources.slice(0, 4)).toEqual(["'self'", 'data:', 'blob:', 'https://<token>']);
        amap.resourceCountIs('AWS::CloudFront::Function', 0);
      } finally {
        other.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
