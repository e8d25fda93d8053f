import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ExportJobQueue } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface SqsExportJobQueueOptions {
  client: ClientSource<SQSClient>;
  queueUrl: string;
}

/** The export work queue (standard SQS): a message names a job; the worker reads the job for what is next. */
export class SqsExportJobQueue implements ExportJobQueue {
  constructor(private readonly options: SqsExportJobQueueOptions) {}

  async enqueue(jobId: string): Promise<void> {
    const { SendMessageCommand } = await import('./sqs-sdk');
    await (await clientOf(this.options.client)).send(
      new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify({ jobId }) }),
    );
  }
}
