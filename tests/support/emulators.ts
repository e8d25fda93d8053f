import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { patchedDynalite } from '../../infra/local/dynalite-patched';
import { ensureTable } from '../../infra/local/dynamodb';
import { createIntakeQueues, type LocalQueues, startFauxqs } from '../../infra/local/sqs';
import { skipUnverifiedSigning } from '../../infra/local/unsigned-requests';
import { enforceIam, type TestIam } from './iam';

// The local cloud's dynalite, patches and all (infra/local/dynalite-patched.ts): test that one.
const dynalite = patchedDynalite();

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

export interface Emulators {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  tableName: string;
  queues: LocalQueues;
  /** The IAM check on both clients: handlers wrapped with `asFunction` run under their role. */
  iam: TestIam;
  stop(): Promise<void>;
}

/**
 * One in-memory dynalite and one fauxqs per test file, the table and queues created exactly as the
 * local cloud creates them, with the local cloud's IAM check on the clients. Start in `beforeAll`,
 * stop in `afterAll`.
 */
export const startEmulators = async (): Promise<Emulators> => {
  const dynaliteServer = dynalite({ createTableMs: 0 });
  await new Promise<void>((done) => dynaliteServer.listen(0, '127.0.0.1', done));
  const dynamoEndpoint = `http://127.0.0.1:${(dynaliteServer.address() as AddressInfo).port}`;
  const dynamodb = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  const tableName = 'xietong-test-cases';
  await ensureTable(dynamodb, tableName);

  const fauxqs = await startFauxqs();
  const sqs = new SQSClient({ endpoint: fauxqs.endpoint, region, credentials });
  const queues = await createIntakeQueues(sqs, fauxqs.endpoint, {
    intake: 'xietong-test-intake',
    deadLetter: 'xietong-test-intake-dlq',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 5,
  });

  // As in the local cloud: no emulator here checks a signature.
  skipUnverifiedSigning(dynamodb);
  skipUnverifiedSigning(sqs);
  const iam = enforceIam([dynamodb, sqs], {
    tableName,
    intakeQueueUrl: queues.intakeQueueUrl,
    intakeDeadLetterQueueUrl: queues.dlqUrl,
  });

  return {
    iam,
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs,
    tableName,
    queues,
    async stop() {
      dynamodb.destroy();
      sqs.destroy();
      await fauxqs.stop();
      await new Promise<void>((done) => dynaliteServer.close(() => done()));
      // A refusal a handler swallowed (a background send, a caught error) must not pass unseen.
      const refused = iam.refusals();
      if (refused.length > 0) {
        throw new Error(`the local IAM check refused calls during this file:\n  ${refused.join('\n  ')}`);
      }
    },
  };
};
