// Builds the adapter behind each port from configuration: the embedded
// defaults need nothing but a folder; the AWS adapters take the same code
// paths against AWS or a local stand-in (endpoint overrides).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SESClient } from '@aws-sdk/client-ses'
import type { Config } from './config.ts'
import { awsClientConfig } from './aws/client-config.ts'
import { makePrivateFolder } from './fs/private-files.ts'
import type { CandidateStore } from './ports/candidate-store.ts'
import type { ResumeStore } from './ports/resume-store.ts'
import type { Mailer } from './ports/mailer.ts'
import { SqliteCandidateStore } from './storage/sqlite-candidate-store.ts'
import { DynamoDbCandidateStore } from './storage/dynamodb-candidate-store.ts'
import { LocalResumeStore } from './storage/local-resume-store.ts'
import { S3ResumeStore } from './storage/s3-resume-store.ts'
import { OutboxMailer } from './mail/outbox-mailer.ts'
import { SesMailer } from './mail/ses-mailer.ts'
import { DirectoryTemplateSource, S3TemplateSource, TemplateRenderer } from './mail/templates.ts'

export interface Services {
  candidates: CandidateStore
  resumes: ResumeStore
  mailer: Mailer
  templates: TemplateRenderer
  close(): Promise<void>
}

export async function createServices(config: Config): Promise<Services> {
  const aws = (endpoint: string | undefined, region = config.aws.region) => awsClientConfig({ ...config.aws, region, endpoint })
  const closers: (() => unknown)[] = []

  let s3: S3Client | undefined
  const s3Client = () => {
    if (!s3) {
      s3 = new S3Client({ ...aws(config.s3Endpoint), forcePathStyle: config.s3ForcePathStyle })
      closers.push(() => s3?.destroy())
    }
    return s3
  }

  let candidates: CandidateStore
  if (config.candidateStore === 'dynamodb') {
    const client = new DynamoDBClient(aws(config.dynamodbEndpoint))
    closers.push(() => client.destroy())
    candidates = new DynamoDbCandidateStore(client, config.dynamodbTable)
  } else {
    candidates = new SqliteCandidateStore(config.sqlitePath)
  }

  let resumes: ResumeStore
  if (config.resumeStore === 's3') {
    resumes = new S3ResumeStore({
      client: s3Client(),
      bucket: config.s3Bucket as string,
      prefix: config.s3Prefix,
      serverSideEncryption: config.s3Sse,
      ...(config.s3KmsKeyId ? { kmsKeyId: config.s3KmsKeyId } : {}),
    })
  } else {
    await makePrivateFolder(config.resumeDir)
    // /health fails before the disk is too full for the largest resume accepted.
    resumes = new LocalResumeStore(config.resumeDir, { minFreeBytes: config.maxResumeBytes })
  }

  let mailer: Mailer
  if (config.mailer === 'ses') {
    const client = new SESClient(aws(config.sesEndpoint, config.sesRegion))
    closers.push(() => client.destroy())
    mailer = new SesMailer({
      client,
      ...(config.sesConfigurationSet ? { configurationSet: config.sesConfigurationSet } : {}),
    })
  } else {
    await makePrivateFolder(config.outboxDir)
    mailer = new OutboxMailer(config.outboxDir)
  }

  const bundled = new DirectoryTemplateSource(config.templateDir)
  const templates = new TemplateRenderer(
    config.templateBucket
      ? new S3TemplateSource({ client: s3Client(), bucket: config.templateBucket, prefix: config.templatePrefix, fallback: bundled })
      : bundled,
  )

  return {
    candidates,
    resumes,
    mailer,
    templates,
    async close() {
      await candidates.close()
      for (const close of closers) await close()
    },
  }
}
