import { TABLE_KEYS } from '../../../shared/adapters/aws/table-design';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../lambda-context';
import type { RequestContext } from './policy';
import { bucketArn, queueArnOfUrl, tableArn } from './template';

/**
 * The IAM action(s) and resource ARN(s) AWS authorizes for one SDK call, built the way AWS builds
 * them (Service Authorization Reference): tables and `table/<t>/index/<i>`, queue ARNs, bucket and
 * `bucket/key` object ARNs, state machine and execution ARNs. A batch call is authorized per item.
 */
export interface RequestedAccess {
  action: string;
  resource: string;
  /** Condition context keys (lower case) the call supplies, e.g. `dynamodb:leadingkeys`. */
  context?: RequestContext;
}

export type Service = 'dynamodb' | 'sqs' | 's3' | 'states';

type Input = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The partition key value of an item or key, marshalled (`{ S }`) or not (the document client's). */
const leadingKey = (item: unknown): string | undefined => {
  const value = (item as Input | undefined)?.[TABLE_KEYS.partitionKey];
  if (typeof value === 'string') return value;
  const marshalled = (value as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : undefined;
};

const dynamodb = (operation: string, input: Input): RequestedAccess[] => {
  const on = (action: string, table: string, index?: string, item?: unknown) => {
    const key = leadingKey(item);
    return {
      action: `dynamodb:${action}`,
      resource: `${tableArn(table)}${index ? `/index/${index}` : ''}`,
      ...(key !== undefined && { context: { 'dynamodb:leadingkeys': [key] } }),
    };
  };
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((input.RequestItems ?? {}) as Input).map((table) => on(operation, table));
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Input[]).flatMap((item) =>
        Object.entries(item).map(([kind, request]) =>
          on(
            kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`,
            str((request as Input).TableName),
            undefined,
            (request as Input).Key ?? (request as Input).Item,
          ),
        ),
      );
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as { Get: Input }[]).map((item) =>
        on('GetItem', str(item.Get?.TableName)),
      );
    case 'Query':
    case 'Scan':
      return [on(operation, str(input.TableName), str(input.IndexName) || undefined)];
    default:
      return input.TableName
        ? [on(operation, str(input.TableName), undefined, input.Key ?? input.Item)]
        : [{ action: `dynamodb:${operation}`, resource: '*' }];
  }
};

/** SQS authorizes the batch forms as their single forms. */
const SQS_BATCH: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

const sqs = (operation: string, input: Input): RequestedAccess[] => {
  const action = `sqs:${SQS_BATCH[operation] ?? operation}`;
  if (input.QueueUrl) return [{ action, resource: queueArnOfUrl(str(input.QueueUrl)) }];
  if (input.QueueName) {
    return [{ action, resource: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${str(input.QueueName)}` }];
  }
  return [{ action, resource: '*' }];
};

/** S3 operations whose IAM action has another name (HeadObject is authorized as GetObject, …). */
const S3_ACTIONS: Record<string, string> = {
  HeadObject: 'GetObject',
  ListObjectsV2: 'ListBucket',
  ListObjects: 'ListBucket',
  HeadBucket: 'ListBucket',
  ListObjectVersions: 'ListBucketVersions',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  ListParts: 'ListMultipartUploadParts',
  DeleteObjects: 'DeleteObject',
};

const objectArn = (bucket: string, key: string) => `${bucketArn(bucket)}/${key}`;

const s3 = (operation: string, input: Input): RequestedAccess[] => {
  const bucket = str(input.Bucket);
  const versioned = input.VersionId ? 'Version' : '';
  switch (operation) {
    case 'GetObject':
    case 'HeadObject':
      return [{ action: `s3:GetObject${versioned}`, resource: objectArn(bucket, str(input.Key)) }];
    case 'DeleteObject':
      return [{ action: `s3:DeleteObject${versioned}`, resource: objectArn(bucket, str(input.Key)) }];
    case 'CopyObject': {
      // CopySource is `bucket/key` (URL-encoded, maybe `?versionId=`): GetObject on it, PutObject on the target.
      const [path = '', query] = str(input.CopySource).replace(/^\//, '').split('?');
      const [sourceBucket = '', ...keyParts] = path.split('/');
      const sourceKey = decodeURIComponent(keyParts.join('/'));
      return [
        {
          action: query?.includes('versionId=') ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: objectArn(sourceBucket, sourceKey),
        },
        { action: 's3:PutObject', resource: objectArn(bucket, str(input.Key)) },
      ];
    }
    case 'DeleteObjects':
      return ((input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? []).map((o) => ({
        action: 's3:DeleteObject',
        resource: objectArn(bucket, str(o.Key)),
      }));
    default: {
      const action = `s3:${S3_ACTIONS[operation] ?? operation}`;
      if (input.Key !== undefined) return [{ action, resource: objectArn(bucket, str(input.Key)) }];
      return [{ action, resource: bucket ? bucketArn(bucket) : '*' }];
    }
  }
};

const states = (
  operation: string,
  input: Input,
  stateMachineOfToken: (token: string) => string | undefined,
): RequestedAccess[] => {
  const action = `states:${operation}`;
  if (input.executionArn) return [{ action, resource: str(input.executionArn) }];
  if (input.stateMachineArn) return [{ action, resource: str(input.stateMachineArn) }];
  // A task token stands for an execution of one state machine: the grant names that machine.
  if (input.taskToken) return [{ action, resource: stateMachineOfToken(str(input.taskToken)) ?? '*' }];
  return [{ action, resource: '*' }];
};

export const requestedAccess = (
  service: Service,
  operation: string,
  input: Input,
  stateMachineOfToken: (token: string) => string | undefined = () => undefined,
): RequestedAccess[] => {
  switch (service) {
    case 'dynamodb':
      return dynamodb(operation, input);
    case 'sqs':
      return sqs(operation, input);
    case 's3':
      return s3(operation, input);
    case 'states':
      return states(operation, input, stateMachineOfToken);
  }
};
