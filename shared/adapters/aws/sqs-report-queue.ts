import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReportQueue, RoutingRequest } from '../../ports';

export interface SqsReportQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/** Hands a report to the router. The correlation id also travels as a message attribute for tooling. */
export class SqsReportQueue implements ReportQueue {
  constructor(private readonly options: SqsReportQueueOptions) {}

  async enqueue(request: RoutingRequest): Promise<void> {
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageAttributes: {
          correlationId: { DataType: 'String', StringValue: request.correlationId },
        },
      }),
    );
  }
}
