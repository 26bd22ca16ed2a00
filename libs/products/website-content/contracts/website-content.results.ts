import { ApiProperty } from '@nestjs/swagger';

/**
 * The results of seed 003's two job types, as Swagger documents them (JobTypeDefinition.result)
 * and the handlers return them.
 */

export class HeadingDoc {
  @ApiProperty({ enum: [1, 2, 3] })
  level!: number;

  @ApiProperty()
  text!: string;
}

export class KeywordDoc {
  @ApiProperty()
  word!: string;

  @ApiProperty()
  count!: number;
}

export class TextSummaryDoc {
  @ApiProperty()
  wordCount!: number;

  @ApiProperty({ type: [KeywordDoc], description: 'The most frequent meaningful words across the fetched pages' })
  topKeywords!: KeywordDoc[];
}

export class ContactsDoc {
  @ApiProperty({ type: [String] })
  emails!: string[];

  @ApiProperty({ type: [String], description: 'Digits, with a leading + when the page gave a country code' })
  phones!: string[];
}

export class SocialProfileDoc {
  @ApiProperty({ enum: ['instagram', 'tiktok', 'youtube', 'linkedin', 'x', 'facebook'] })
  platform!: 'instagram' | 'tiktok' | 'youtube' | 'linkedin' | 'x' | 'facebook';

  @ApiProperty({ format: 'uri' })
  url!: string;

  @ApiProperty({ description: 'Without @' })
  handle!: string;
}

export class FetchedPageDoc {
  @ApiProperty({ description: 'The URL asked for' })
  url!: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'Where the answer came from after redirects' })
  finalUrl!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  status!: number | null;

  @ApiProperty({ type: 'string', nullable: true })
  title!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the page could not be fetched' })
  error!: string | null;
}

export class SiteAnalysisDoc {
  @ApiProperty()
  url!: string;

  @ApiProperty()
  finalUrl!: string;

  @ApiProperty({ type: 'string', nullable: true })
  title!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  description!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'en' })
  language!: string | null;

  @ApiProperty({ type: [HeadingDoc] })
  headings!: HeadingDoc[];

  @ApiProperty({ type: TextSummaryDoc })
  summary!: TextSummaryDoc;

  @ApiProperty({ type: ContactsDoc })
  contacts!: ContactsDoc;

  @ApiProperty({ type: [SocialProfileDoc] })
  socials!: SocialProfileDoc[];

  @ApiProperty({ type: [FetchedPageDoc] })
  pages!: FetchedPageDoc[];
}

export class AudienceDoc {
  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: [String] })
  painPoints!: string[];
}

export class PitchDoc {
  @ApiProperty()
  headline!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty()
  cta!: string;
}

export class ScenarioDoc {
  @ApiProperty({ type: AudienceDoc })
  audience!: AudienceDoc;

  @ApiProperty({ type: [PitchDoc] })
  pitches!: PitchDoc[];

  @ApiProperty({ type: 'string', nullable: true })
  imageUrl!: string | null;
}

export class CtaDoc {
  @ApiProperty()
  text!: string;

  @ApiProperty({ description: 'Absolute URL, mailto: or tel:' })
  target!: string;

  @ApiProperty({ enum: ['button', 'link'] })
  kind!: 'button' | 'link';

  @ApiProperty()
  pageUrl!: string;
}

export class WebsiteAnalysisResult {
  @ApiProperty({ type: SiteAnalysisDoc })
  analysis!: SiteAnalysisDoc;

  @ApiProperty({ type: [ScenarioDoc], description: 'Empty without a generation service' })
  scenarios!: ScenarioDoc[];

  @ApiProperty({ type: [CtaDoc] })
  ctas!: CtaDoc[];

  @ApiProperty({ format: 'uuid' })
  organizationId!: string;

  @ApiProperty({ type: [String], description: 'What was not done and why (no generation service, a failed image)' })
  notes!: string[];
}

export class GeneratedPostDoc {
  @ApiProperty()
  title!: string;

  @ApiProperty()
  content!: string;

  @ApiProperty()
  metaDescription!: string;

  @ApiProperty({ type: [String] })
  tags!: string[];
}

export class SavedPostDoc {
  @ApiProperty({ format: 'uuid', description: 'The job id' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  organizationId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: 'string', nullable: true })
  headerImageUrl!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class GenerationMetadataDoc {
  @ApiProperty()
  topic!: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The generation call, ms (null when answered from a saved post)' })
  generationMs!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: "Size of the model's answer in bytes" })
  answerBytes!: number | null;

  @ApiProperty({ type: 'integer' })
  totalMs!: number;

  @ApiProperty({ description: 'Credits spent' })
  credits!: number;

  @ApiProperty({ description: 'True when a redelivered job found its post saved and answered from it' })
  redelivered!: boolean;
}

export class ImageGenerationDoc {
  @ApiProperty({ enum: ['generated', 'failed'] })
  status!: 'generated' | 'failed';

  @ApiProperty({ type: 'string', nullable: true })
  imageUrl!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  reason!: string | null;
}

export class ContentGenerationResult {
  @ApiProperty({ type: GeneratedPostDoc })
  data!: GeneratedPostDoc;

  @ApiProperty({ type: SavedPostDoc })
  savedPost!: SavedPostDoc;

  @ApiProperty({ type: GenerationMetadataDoc })
  metadata!: GenerationMetadataDoc;

  @ApiProperty({ type: ImageGenerationDoc })
  imageGeneration!: ImageGenerationDoc;
}
