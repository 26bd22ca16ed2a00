import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A call to action found on an organization's website; one per organization and target (seed 003's CTA constraint). */
@Schema({ collection: 'website_ctas', versionKey: false, strict: 'throw' })
export class SiteCta {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  organizationId!: string;

  /** Where the call to action leads (absolute URL, mailto: or tel:). */
  @Prop({ type: String, required: true })
  target!: string;

  @Prop({ type: String, required: true })
  text!: string;

  /** button | link */
  @Prop({ type: String, required: true })
  kind!: string;

  /** The page it was found on. */
  @Prop({ type: String, required: true })
  pageUrl!: string;

  @Prop({ type: Date, required: true })
  firstSeenAt!: Date;
}

export const SiteCtaSchema = SchemaFactory.createForClass(SiteCta);
SiteCtaSchema.index({ organizationId: 1, target: 1 }, { unique: true });
