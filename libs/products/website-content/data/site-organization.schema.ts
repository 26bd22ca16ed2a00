import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** The organization a user or session works as (seed 003: created on first use, one per owner). */
@Schema({ collection: 'website_organizations', versionKey: false, strict: 'throw' })
export class SiteOrganization {
  @Prop({ type: String, required: true })
  _id!: string;

  /** "user:<id>" or "session:<id>"; unique, so two first uses at once make one organization. */
  @Prop({ type: String, required: true })
  ownerKey!: string;

  /** The website most recently analysed for it. */
  @Prop({ type: String, default: null })
  website!: string | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const SiteOrganizationSchema = SchemaFactory.createForClass(SiteOrganization);
SiteOrganizationSchema.index({ ownerKey: 1 }, { unique: true });
