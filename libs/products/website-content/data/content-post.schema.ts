import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A generated post saved to an organization (seed 003's `savedPost`). */
@Schema({ collection: 'website_posts', versionKey: false, strict: 'throw' })
export class ContentPost {
  /** The job id: one post per job, however often the job is delivered. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  organizationId!: string;

  @Prop({ type: String, required: true })
  topic!: string;

  @Prop({ type: String, required: true })
  title!: string;

  @Prop({ type: String, required: true })
  content!: string;

  /** May be empty: the generation service need not send one (Mongoose's `required` refuses ''). */
  @Prop({ type: String, default: '' })
  metaDescription!: string;

  @Prop({ type: [String], default: [] })
  tags!: string[];

  @Prop({ type: String, default: null })
  headerImageUrl!: string | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const ContentPostSchema = SchemaFactory.createForClass(ContentPost);
ContentPostSchema.index({ organizationId: 1, createdAt: -1 });
