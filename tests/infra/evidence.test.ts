import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp, PROJECT_ROOT } from '../../infra/district-app';
import { nativeModuleInstall } from '../../infra/stack/functions';
import { ENV } from '../../shared/runtime/env';
import { FUNCTIONS, type FunctionSpec } from '../../shared/runtime/functions';
import {
  asList,
  onlyResourceOf,
  policyStatements,
  resourcesOf,
  type TestApp,
  testApp,
  variablesOf,
} from './synth';

let synth: TestApp;
let template: Template;

beforeAll(() => {
  synth = testApp();
  template = Template.fromStack(buildDistrictApp(synth.app, { district: 'sandun' }));
});
afterAll(() => synth.dispose());

const spec = (name: string): FunctionSpec => FUNCTIONS.find((f) => f.name === name)!;
const logicalIdOf = (name: string): string => {
  const [id] = resourcesOf(template, 'AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties.Description === spec(name).description,
  )!;
  return id;
};
const evidenceBucketId = () =>
  resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('EvidenceBucket'))![0];

/** Actions per object prefix a function's policy grants on the evidence bucket. */
const s3GrantsOf = (name: string): Record<string, string[]> => {
  const role = `Fn${name.replace(/-/g, '')}Role`;
  const grants: Record<string, string[]> = {};
  for (const { resource, statement } of policyStatements(template)) {
    if (!resource.toLowerCase().startsWith(role.toLowerCase())) continue;
    for (const target of asList(statement.Resource)) {
      const text = JSON.stringify(target);
      if (!text.includes(evidenceBucketId())) continue;
      const prefix = /\/([a-z]+)\/\*/.exec(text)?.[1] ?? 'bucket';
      grants[prefix] = [...(grants[prefix] ?? []), ...asList(statement.Action)].sort();
    }
  }
  return grants;
};

describe('the evidence bucket', () => {
  it('is private: every public access blocked, objects owned by the bucket owner', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
    });
    const [, bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('EvidenceBucket'),
    )!;
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses plain HTTP (a deny on aws:SecureTransport false)', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: evidenceBucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('moves originals to cheaper storage, expires quarantine and old versions, allows the web page by CORS', () => {
    const [, bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('EvidenceBucket'),
    )!;
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'originals-to-cheaper-storage',
          Prefix: 'cases/',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
            { StorageClass: 'GLACIER_IR', TransitionInDays: 365 },
          ],
        }),
        expect.objectContaining({ Id: 'quarantine-expires', Prefix: 'quarantine/', ExpirationInDays: 90 }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
      ]),
    );
    expect(bucket.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['POST', 'GET', 'HEAD'],
          AllowedOrigins: ['*'],
          AllowedHeaders: ['*'],
        }),
      ],
    });
  });
});

describe('the notification and the functions', () => {
  it('invokes the evidence function on ObjectCreated under cases/ and snapshots/ only', () => {
    const [, notifications] = onlyResourceOf(template, 'Custom::S3BucketNotifications');
    expect(notifications.Properties.BucketName).toEqual({ Ref: evidenceBucketId() });
    expect(notifications.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: ['cases/', 'snapshots/'].map((prefix) => ({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf('evidence'), 'Arn'] },
      })),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf('evidence'), 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [evidenceBucketId(), 'Arn'] },
    });
  });

  it('grants least privilege per prefix: forms sign uploads and downloads, the check reads, thumbnails and quarantines', () => {
    expect(s3GrantsOf('attachments')).toEqual({
      cases: ['s3:GetObject', 's3:PutObject'],
      thumbnails: ['s3:GetObject'],
    });
    expect(s3GrantsOf('evidence')).toEqual({
      bucket: ['s3:ListBucket'],
      // Copies an arrived camera snapshot in (PutObject) as well as reading and removing originals.
      cases: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      quarantine: ['s3:PutObject'],
      snapshots: ['s3:GetObject'],
      thumbnails: ['s3:PutObject'],
    });
    for (const other of FUNCTIONS.filter((f) => !f.access.evidence || f.access.evidence === 'none')) {
      expect(s3GrantsOf(other.name), other.name).toEqual({});
    }
  });

  it('lets the cameras function only stage snapshots, and the router only copy them to their case', () => {
    // Writes (and the upload forms it presigns) reach snapshots/ and nothing else; it reads nothing.
    expect(s3GrantsOf('cameras')).toEqual({ snapshots: ['s3:PutObject'] });
    // Reads a staged snapshot, writes the copy under cases/; lists so a snapshot not yet uploaded is a 404.
    expect(s3GrantsOf('route-reports')).toEqual({
      bucket: ['s3:ListBucket'],
      cases: ['s3:PutObject'],
      snapshots: ['s3:GetObject'],
    });
  });

  it('expires snapshots left staged after a month', () => {
    const [, bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('EvidenceBucket'),
    )!;
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'staged-snapshots-expire', Prefix: 'snapshots/', ExpirationInDays: 30 }),
    );
  });

  it('tells exactly the functions with evidence access the bucket name; the check gets memory for sharp', () => {
    for (const fn of FUNCTIONS) {
      const [, resource] = resourcesOf(template, 'AWS::Lambda::Function').find(
        ([, r]) => r.Properties.Description === fn.description,
      )!;
      const bucket = variablesOf(resource)[ENV.evidenceBucket];
      if (fn.access.evidence && fn.access.evidence !== 'none')
        expect(bucket, fn.name).toEqual({ Ref: evidenceBucketId() });
      else expect(bucket, fn.name).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: spec('evidence').description,
      MemorySize: 1536,
      Timeout: 60,
      Architectures: ['arm64'],
    });
  });

  it('bundles sharp outside esbuild, installed for linux-arm64 (glibc) at the locked version', () => {
    expect(spec('evidence').nativeModules).toEqual(['sharp']);
    const [command] = nativeModuleInstall(spec('evidence'), PROJECT_ROOT, '/tmp/out');
    expect(command).toMatch(
      /^cd "\/tmp\/out" && npm install .*--os=linux --cpu=arm64 --libc=glibc sharp@\d+\.\d+\.\d+$/,
    );
    expect(nativeModuleInstall(spec('cases'), PROJECT_ROOT, '/tmp/out')).toEqual([]);
  });
});
