import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPORTS_PREFIX } from '../../shared/domain/case-export';

export interface ExportStorageProps {
  districtId: string;
  /** Where the bucket's server access logs go (the evidence bucket's log bucket). */
  accessLogs: IBucket;
}

/**
 * The exports bucket: case lists and workbooks too big for one API reply, handed out as presigned
 * links that expire in minutes. The files carry personal data (masked per role, but still), so
 * the bucket is private, encrypted, TLS only, logged, and keeps nothing longer than a day: an
 * export is a snapshot to download now, and the cases remain the record.
 */
export class ExportStorage extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ExportStorageProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `exports-${props.districtId}/`,
      lifecycleRules: [
        { id: 'exports-expire', prefix: EXPORTS_PREFIX, expiration: Duration.days(1) },
        { id: 'abandoned-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Deleting a bucket that still holds an export would fail the stack's deletion; kept, it
      // empties itself within a day.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Write an export and sign its download link (the link is signed with the writer's own GetObject). */
  grantWrite(grantee: IGrantable): void {
    this.grant(grantee, ['s3:PutObject', 's3:GetObject']);
  }

  /** Sign download links of finished export jobs (a presigned GET carries the signer's GetObject). */
  grantSign(grantee: IGrantable): void {
    this.grant(grantee, ['s3:GetObject']);
  }

  /** The export worker: writes chunks and files, reads chunks back to compose, deletes them after. */
  grantJobs(grantee: IGrantable): void {
    this.grant(grantee, ['s3:PutObject', 's3:GetObject', 's3:DeleteObject']);
  }

  private grant(grantee: IGrantable, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions, resources: [this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`)] }),
    );
  }
}
