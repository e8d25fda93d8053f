import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { giveFauxqsSqsFifoReceives } from './fauxqs-fifo';

export interface LocalQueues {
  endpoint: string;
  intakeQueueUrl: string;
  intakeQueueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface LocalSqsServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * fauxqs in this process, in memory only: after a restart the sweep re-enqueues every report that
 * was acknowledged but not routed. Built with `buildApp` so that it listens on 127.0.0.1 only
 * (`startFauxqs` binds 0.0.0.0).
 */
export const startFauxqs = async (): Promise<LocalSqsServer> => {
  const app = buildApp({ logger: false, host: 'localhost', defaultRegion: 'us-east-1' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${new URL(address).port}`,
    async stop() {
      await app.close();
    },
  };
};

export interface QueueNames {
  intake: string;
  deadLetter: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  /** FIFO (the intake queue, by default) or standard (a work queue such as the notifications'). */
  fifo?: boolean;
}

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`fauxqs returned no QueueArn for ${queueUrl}`);
  return arn;
};

/** FIFO queue names end in `.fifo` on AWS and in fauxqs. */
const fifoName = (name: string) => (name.endsWith('.fifo') ? name : `${name}.fifo`);

/**
 * The intake queue and its DLQ, wired the way the stack wires them on AWS: FIFO, high throughput
 * (deduplication and throughput per message group), one routing area per group.
 */
export const createIntakeQueues = async (
  sqs: SQSClient,
  endpoint: string,
  names: QueueNames,
): Promise<LocalQueues> => {
  const fifo = names.fifo ?? true;
  if (fifo) await giveFauxqsSqsFifoReceives();
  const nameOf = (name: string) => (fifo ? fifoName(name) : name);
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: nameOf(names.deadLetter),
      Attributes: { ...(fifo && { FifoQueue: 'true' }), MessageRetentionPeriod: '1209600' },
    }),
  );
  if (!dlq.QueueUrl) throw new Error('fauxqs returned no DLQ URL');
  const dlqArn = await arnOf(sqs, dlq.QueueUrl);
  const intake = await sqs.send(
    new CreateQueueCommand({
      QueueName: nameOf(names.intake),
      Attributes: {
        ...(fifo && {
          FifoQueue: 'true',
          DeduplicationScope: 'messageGroup',
          FifoThroughputLimit: 'perMessageGroupId',
        }),
        VisibilityTimeout: String(names.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: names.maxReceiveCount,
        }),
      },
    }),
  );
  if (!intake.QueueUrl) throw new Error('fauxqs returned no intake queue URL');
  return {
    endpoint,
    intakeQueueUrl: intake.QueueUrl,
    intakeQueueArn: await arnOf(sqs, intake.QueueUrl),
    dlqUrl: dlq.QueueUrl,
    dlqArn,
  };
};
