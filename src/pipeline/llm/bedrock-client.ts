// Amazon Bedrock's Converse API: one request shape for every model Bedrock
// serves. The answer comes back as the input of a tool the model is made to
// call (toolChoice names it); a model that answers in text instead is read as
// JSON text. The resume never leaves the AWS account.
import { BedrockRuntimeClient, ConverseCommand, type ContentBlock } from '@aws-sdk/client-bedrock-runtime'
import { awsClientConfig, type AwsClientOptions } from '../../aws/client-config.ts'
import { tokens, toolCallAnswer, type ModelAnswer, type ModelClient, type ModelRequest } from './model-client.ts'

export interface BedrockClientOptions extends AwsClientOptions {
  /** A model id or an inference profile id/ARN (`anthropic.claude-…`, `us.amazon.nova-pro-v1:0`). */
  model: string
}

export class BedrockModelClient implements ModelClient {
  readonly provider = 'bedrock'
  readonly model: string
  readonly #client: BedrockRuntimeClient

  constructor(options: BedrockClientOptions) {
    this.model = options.model
    this.#client = new BedrockRuntimeClient(awsClientConfig(options))
  }

  async ask(request: ModelRequest): Promise<ModelAnswer> {
    const response = await this.#client.send(
      new ConverseCommand({
        modelId: this.model,
        system: [{ text: request.system }],
        messages: [{ role: 'user', content: [{ text: request.user }] }],
        inferenceConfig: { maxTokens: request.maxOutputTokens, temperature: 0 },
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: request.schemaName,
                description: 'Record the assessment of every requirement.',
                // The SDK's document type is JSON-shaped; the schema is plain JSON.
                inputSchema: { json: request.schema as never },
              },
            },
          ],
          toolChoice: { tool: { name: request.schemaName } },
        },
      }),
    )
    const usage = { inputTokens: tokens(response.usage?.inputTokens), outputTokens: tokens(response.usage?.outputTokens) }
    const blocks: ContentBlock[] = response.output?.message?.content ?? []
    const call = blocks.find((block) => block.toolUse?.name === request.schemaName)?.toolUse
    return toolCallAnswer(call, () => blocks.map((block) => block.text ?? '').join(''), usage)
  }

  close(): void {
    this.#client.destroy()
  }
}
