import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { tileHostsOf, tileRewriteFunctionCode, upstreamHostOf } from '../../shared/district/basemap';
import type { DistrictConfig } from '../../shared/district/schema';
import type { Api } from './api';
import type { Identity } from './identity';
import { isChinaPartition } from './partition';

/** The API's paths CloudFront sends on to the HTTP API instead of the bucket. */
export const API_PATH_PATTERNS = ['/v1/*', '/open311/*', '/openapi.json', '/health'] as const;

export interface WebHostingProps {
  district: DistrictConfig;
  api: Api;
  identity: Identity;
  /**
   * The built web app (`web/dist`). `cdk synth`/`deploy` build it first (infra/app.ts); without it
   * (CDK unit tests) the hosting is still defined and only `config.json` is deployed.
   */
  assetsDir?: string;
  /** The evidence bucket: the pages show its photos (presigned links) and nothing else off-site. */
  evidenceBucket?: Pick<Bucket, 'bucketRegionalDomainName'>;
}

/** The SSM parameter that holds a keyed base map's key (e.g. 天地图's tk), read at deploy time. */
export const basemapKeyParameter = (districtId: string) => `/xietong/${districtId}/basemap-key`;

/**
 * The cockpit, the field page and the citizens' page (`/report.html`) on AWS: the built app in a private bucket that only CloudFront
 * can read (origin access control), and the API behind the same CloudFront domain, so the pages
 * call it same-origin (no CORS) and the identity provider's redirect URIs are one fixed domain.
 * `config.json` next to the app tells it where the API is and how to sign in.
 */
export class WebHosting extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: where users open the cockpit. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const { district, api, identity } = props;

    this.logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL: the bucket must accept them.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'site-bucket/',
      lifecycleRules: [
        {
          noncurrentVersionTransitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
          noncurrentVersionExpiration: Duration.days(90),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const imageHosts = [
      ...(props.evidenceBucket ? [`https://${props.evidenceBucket.bucketRegionalDomainName}`] : ['https:']),
      ...tileHostsOf(district.basemap),
    ];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `xietong ${district.id}: security headers for the cockpit`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // Scripts and styles come only from this origin; uploads go to the evidence bucket and
          // sign-in talks to the identity provider, both over https. ECharts sets inline styles.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            // Images: this origin (and its keyed tile path), the evidence bucket's photos and
            // exactly the hosts of the district's base map, nothing else.
            ['img-src', "'self'", 'data:', 'blob:', ...imageHosts].join(' '),
            "media-src 'self' blob: https:",
            "connect-src 'self' https:",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self' https:",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    const apiDomain = Fn.select(2, Fn.split('/', api.httpApi.apiEndpoint));
    const apiOrigin = new HttpOrigin(apiDomain, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    const apiBehavior = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // Every answer is per user and live: never cached. The Authorization header and the query
      // reach the API; the Host header stays CloudFront's so API Gateway sees its own name.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `xietong ${district.id} cockpit`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        // Origin access control where CloudFormation offers it; AWS China still only has the
        // older origin access identity (the bucket is private either way).
        origin: isChinaPartition(this)
          ? S3BucketOrigin.withOriginAccessIdentity(this.bucket)
          : S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        ...Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
        ...this.basemapBehaviors(district, headers),
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    identity.addWebClient([
      `${this.url}/`,
      `${this.url}/index.html`,
      `${this.url}/field.html`,
      `${this.url}/report.html`,
    ]);

    if (isChinaPartition(this)) {
      Annotations.of(this).addWarningV2(
        'xietong:cloudfront-china',
        'In AWS China a CloudFront distribution serves only an ICP-licensed domain of your own: add it ' +
          '(and its certificate) before the cockpit can be opened there.',
      );
    }

    const sources: ISource[] = [Source.jsonData('config.json', this.runtimeConfig(identity))];
    if (props.assetsDir && existsSync(join(props.assetsDir, 'index.html'))) {
      sources.unshift(Source.asset(props.assetsDir));
    } else {
      // Info, not a warning: `cdk synth|deploy` always builds it; only tests leave it out.
      Annotations.of(this).addInfo(
        'The web app is not part of this synth (no built web/dist was given): only config.json is ' +
          'deployed. `npx cdk synth|deploy` builds it first.',
      );
    }
    new BucketDeployment(this, 'Deploy', {
      sources,
      destinationBucket: this.bucket,
      distribution: this.distribution,
      // The pages, their config and the service worker keep their names: new ones must show at once.
      distributionPaths: ['/index.html', '/field.html', '/report.html', '/sw.js', '/config.json'],
      // Hashed asset names never change content: old ones stay for pages still open.
      prune: false,
      memoryLimit: 512,
    });
  }

  /**
   * A base map whose source needs a key (天地图's `tk`): each layer's tiles at
   * `/basemap/<layer>/{z}/{x}/{y}` on the cockpit's own domain, fetched from the source by CloudFront
   * with the key added by a CloudFront Function. The key is an SSM parameter
   * (`basemapKeyParameter`), resolved at deploy time: it is in no page and in no API answer.
   */
  private basemapBehaviors(
    district: DistrictConfig,
    headers: ResponseHeadersPolicy,
  ): Record<string, BehaviorOptions> {
    const { basemap } = district;
    if (!basemap?.keyParameter) return {};
    if (isChinaPartition(this)) {
      Annotations.of(this).addWarningV2(
        'xietong:basemap-key-china',
        "AWS China's CloudFront has no CloudFront Functions, which add the base map's key to its tile " +
          'requests here: serve the tiles from a source without a key (a tile server of your own, or a ' +
          'proxy that adds it), or the cockpit shows the zones without a base map.',
      );
      return {};
    }
    const key = StringParameter.valueForStringParameter(this, basemapKeyParameter(district.id));
    const rewrite = new CloudFrontFunction(this, 'BasemapTiles', {
      comment: `xietong ${district.id}: base map tiles with the district's key`,
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(tileRewriteFunctionCode(basemap, key)),
    });
    return Object.fromEntries(
      basemap.layers.map((layer) => [
        `/basemap/${layer.id}/*`,
        {
          origin: new HttpOrigin(upstreamHostOf(layer), {
            protocolPolicy: layer.url.startsWith('https:')
              ? OriginProtocolPolicy.HTTPS_ONLY
              : OriginProtocolPolicy.HTTP_ONLY,
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          // Tiles change rarely: cached at the edge, so the source's quota pays for few of them.
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
        } satisfies BehaviorOptions,
      ]),
    );
  }

  /** What the pages read from `/config.json`: same-origin API, and how to sign in. */
  private runtimeConfig(identity: Identity): Record<string, unknown> {
    const base = { apiBaseUrl: '', refreshMs: 2_000 };
    if (identity.userPool && identity.webClient && identity.domain) {
      const domain = identity.domain.baseUrl();
      return {
        ...base,
        auth: 'oidc',
        oidc: {
          issuer: identity.issuer,
          clientId: identity.webClient.userPoolClientId,
          authorizationEndpoint: `${domain}/oauth2/authorize`,
          tokenEndpoint: `${domain}/oauth2/token`,
          endSessionEndpoint: `${domain}/logout`,
          scopes: ['openid', 'email', 'profile'],
          claims: identity.claims,
        },
      };
    }
    return {
      ...base,
      auth: 'oidc',
      oidc: {
        issuer: identity.issuer,
        // The district's provider registers the cockpit as a public client; its id is the audience.
        clientId: identity.audience[0] ?? '',
        scopes: ['openid', 'email', 'profile'],
        claims: identity.claims,
      },
    };
  }
}
