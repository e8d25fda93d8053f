import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

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
}

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`fauxqs returned no QueueArn for ${queueUrl}`);
  return arn;
};

/** The intake queue and its DLQ, wired the way the stack wires them on AWS. */
export const createIntakeQueues = async (
  sqs: SQSClient,
  endpoint: string,
  names: QueueNames,
): Promise<LocalQueues> => {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.deadLetter,
      Attributes: { MessageRetentionPeriod: '1209600' },
    }),
  );
  if (!dlq.QueueUrl) throw new Error('fauxqs returned no DLQ URL');
  const dlqArn = await arnOf(sqs, dlq.QueueUrl);
  const intake = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.intake,
      Attributes: {
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
