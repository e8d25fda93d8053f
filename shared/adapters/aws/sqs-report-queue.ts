import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ReportQueue, RoutingRequest } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface SqsReportQueueOptions {
  client: ClientSource<SQSClient>;
  queueUrl: string;
}

/**
 * Hands a report to the router through the FIFO intake queue. The message group is the report's
 * routing area, so one area's reports reach one router at a time, in order, while areas are routed
 * in parallel. The deduplication id is new per hand-over: the SDK's own retries of this send repeat
 * it (and SQS drops the copy), while a deliberate re-send (a client's retry of a still-unrouted
 * report, the sweep) goes through; the router skips a report it already routed. The correlation
 * id also travels as a message attribute for tooling.
 */
export class SqsReportQueue implements ReportQueue {
  constructor(private readonly options: SqsReportQueueOptions) {}

  async enqueue(request: RoutingRequest & { area: string }): Promise<void> {
    const { SendMessageCommand } = await import('./sqs-sdk');
    await (await clientOf(this.options.client)).send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageGroupId: request.area,
        MessageDeduplicationId: randomUUID(),
        MessageAttributes: {
          correlationId: { DataType: 'String', StringValue: request.correlationId },
        },
      }),
    );
  }
}
