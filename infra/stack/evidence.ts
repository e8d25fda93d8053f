import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import {
  QUARANTINE_PREFIX,
  SNAPSHOT_PREFIX,
  THUMBNAIL_PREFIX,
  UPLOAD_PREFIX,
} from '../../shared/domain/evidence';
import type { FunctionSpec } from '../../shared/runtime/functions';

export interface EvidenceStorageProps {
  districtId: string;
  /** Origins of the web pages that post upload forms and show thumbnails. */
  corsOrigins: string[];
  /** Days before originals move to Infrequent Access (then Glacier Instant Retrieval after a year). */
  infrequentAccessAfterDays?: number;
}

export type EvidenceAccess = NonNullable<FunctionSpec['access']['evidence']>;

/**
 * The evidence bucket: private (every public access blocked, owner-enforced objects), encrypted,
 * TLS only, versioned, with server access logs; originals move to cheaper storage as cases age.
 * Devices upload with presigned POST forms; ObjectCreated under `cases/` invokes the evidence check,
 * under `snapshots/` (camera snapshots waiting for their report's case) the same function places them.
 */
export class EvidenceStorage extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStorageProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const iaDays = props.infrequentAccessAfterDays ?? 90;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `evidence-${props.districtId}/`,
      cors: [
        {
          allowedOrigins: props.corsOrigins,
          allowedMethods: [HttpMethods.POST, HttpMethods.GET, HttpMethods.HEAD],
          allowedHeaders: ['*'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'originals-to-cheaper-storage',
          prefix: UPLOAD_PREFIX,
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(iaDays) },
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) },
          ],
        },
        // Rejected uploads are kept a while for a dispute or an investigation, then go.
        { id: 'quarantine-expires', prefix: QUARANTINE_PREFIX, expiration: Duration.days(90) },
        // A staged snapshot is copied to its case within seconds; what is left (a report never
        // written, a case over its snapshot limit) goes after a month.
        { id: 'staged-snapshots-expire', prefix: SNAPSHOT_PREFIX, expiration: Duration.days(30) },
        { id: 'old-versions-expire', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abandoned-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Evidence is a public record like the cases: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);

  /** The key prefixes an access reaches (each one an object-level wildcard in the policy). */
  static prefixesOf(access: EvidenceAccess): string[] {
    switch (access) {
      case 'none':
        return [];
      case 'forms':
        return [UPLOAD_PREFIX, THUMBNAIL_PREFIX];
      case 'snapshots':
        return [SNAPSHOT_PREFIX];
      case 'place':
        return [UPLOAD_PREFIX, SNAPSHOT_PREFIX];
      case 'check':
        return [UPLOAD_PREFIX, THUMBNAIL_PREFIX, QUARANTINE_PREFIX, SNAPSHOT_PREFIX];
    }
  }

  /**
   * `forms`: sign upload forms for originals and download links for originals and thumbnails.
   * `check`: read originals, write thumbnails, move rejects to quarantine (copy + delete), read
   * staged snapshots and copy them to their case; list, so that a missing object is a 404 and not
   * a 403. `snapshots`: stage camera snapshots (put, and sign upload forms) under `snapshots/`.
   * `place`: read a staged snapshot and copy it to its case's key; list, for the same 404.
   */
  grant(grantee: IGrantable, access: EvidenceAccess): void {
    const list = () =>
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] });
    const statements: PolicyStatement[] = [];
    switch (access) {
      case 'none':
        return;
      case 'forms':
        statements.push(
          new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects(UPLOAD_PREFIX)] }),
          new PolicyStatement({
            actions: ['s3:GetObject'],
            resources: [this.objects(UPLOAD_PREFIX), this.objects(THUMBNAIL_PREFIX)],
          }),
        );
        break;
      case 'snapshots':
        statements.push(
          new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects(SNAPSHOT_PREFIX)] }),
        );
        break;
      case 'place':
        statements.push(
          new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objects(SNAPSHOT_PREFIX)] }),
          new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects(UPLOAD_PREFIX)] }),
          list(),
        );
        break;
      case 'check':
        statements.push(
          new PolicyStatement({
            actions: ['s3:GetObject', 's3:DeleteObject', 's3:PutObject'],
            resources: [this.objects(UPLOAD_PREFIX)],
          }),
          new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objects(SNAPSHOT_PREFIX)] }),
          new PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [this.objects(THUMBNAIL_PREFIX), this.objects(QUARANTINE_PREFIX)],
          }),
          list(),
        );
        break;
    }
    for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }

  /**
   * ObjectCreated under `cases/` invokes the evidence check, under `snapshots/` the placing of a
   * camera snapshot (asynchronously, retried by Lambda). Nothing else: thumbnails and quarantine
   * moves must not invoke it again.
   */
  notify(fn: IFunction): void {
    for (const prefix of [UPLOAD_PREFIX, SNAPSHOT_PREFIX]) {
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix });
    }
  }
}
