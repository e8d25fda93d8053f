import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnverifiedSigning } from '../../infra/local/unsigned-requests';
import { type Emulators, startEmulators } from '../support/emulators';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
/** What a real SigV4 header carries: a 64-hex-digit signature. */
const SIGNED =
  /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/\w+\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

type Observable = { middlewareStack: { add(m: unknown, o: Record<string, unknown>): void } };

/** The `Authorization` header of each request as it leaves the client (after every finalize step). */
const watchAuthorization = (client: Observable) => {
  const seen: string[] = [];
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) =>
      (args: { request: { headers: Record<string, string> } }) => {
        seen.push(args.request.headers.authorization ?? '');
        return next(args);
      },
    { step: 'deserialize', name: 'watchAuthorization', priority: 'low' },
  );
  return seen;
};

describe('the local cloud skips request signing where no emulator checks it', () => {
  let emulators: Emulators;
  let endpoints: { dynamodb: string; sqs: string };
  beforeAll(async () => {
    emulators = await startEmulators();
    const endpointOf = async (client: DynamoDBClient | SQSClient) => {
      const endpoint = await client.config.endpoint?.();
      return `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`;
    };
    endpoints = { dynamodb: await endpointOf(emulators.dynamodb), sqs: await endpointOf(emulators.sqs) };
  });
  afterAll(() => emulators.stop());

  it('sends DynamoDB calls with a placeholder signature, which dynalite takes', async () => {
    const client = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials });
    skipUnverifiedSigning(client);
    const seen = watchAuthorization(client);
    const Key = { pk: { S: 'UNSIGNED#1' }, sk: { S: 'UNSIGNED' } };
    await client.send(
      new PutItemCommand({ TableName: emulators.tableName, Item: { ...Key, n: { N: '7' } } }),
    );
    const { Item } = await client.send(new GetItemCommand({ TableName: emulators.tableName, Key }));
    client.destroy();
    expect(Item?.n).toEqual({ N: '7' });
    expect(seen).toHaveLength(2);
    for (const header of seen) {
      expect(header).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
      expect(header).not.toMatch(SIGNED);
    }
  });

  it('sends SQS calls unsigned too, and fauxqs takes them', async () => {
    const client = new SQSClient({ endpoint: endpoints.sqs, region, credentials });
    skipUnverifiedSigning(client);
    const seen = watchAuthorization(client);
    const QueueUrl = emulators.queues.dlqUrl;
    await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'unsigned',
        MessageGroupId: 'unsigned',
        MessageDeduplicationId: 'unsigned-1',
      }),
    );
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    client.destroy();
    expect(Messages?.map((m) => m.Body)).toEqual(['unsigned']);
    expect(seen.every((header) => !SIGNED.test(header))).toBe(true);
  });

  it('leaves a client it was not applied to signing (the check above can fail)', async () => {
    const client = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials });
    const seen = watchAuthorization(client);
    await client.send(
      new GetItemCommand({ TableName: emulators.tableName, Key: { pk: { S: 'X' }, sk: { S: 'X' } } }),
    );
    client.destroy();
    expect(seen).toEqual([expect.stringMatching(SIGNED)]);
  });

  it('leaves S3 signing: s3rver checks signatures', async () => {
    const client = new S3Client({
      region,
      credentials,
      endpoint: 'http://127.0.0.1:1',
      forcePathStyle: true,
      // Answers without a network: only the request as it would leave matters here.
      requestHandler: {
        handle: async () => ({
          response: { statusCode: 200, headers: {}, body: Readable.from([]) },
        }),
      },
    });
    skipUnverifiedSigning(client);
    const seen = watchAuthorization(client);
    await client.send(new HeadBucketCommand({ Bucket: 'evidence' }));
    client.destroy();
    expect(seen).toEqual([expect.stringMatching(SIGNED)]);
  });
});
