import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { BusinessInsights, BusinessValidation, BusinessVideo, InstagramFinding, Place } from './discovery.types';

/** One search for businesses (a discover-with-instagram or discover-competitors job): what was asked, and the places found (kept, so a redelivered run fans out the same businesses). */
@Schema({ collection: 'discoveries', versionKey: false, strict: 'throw' })
export class Discovery {
  /** The discover-with-instagram job's id; also its report's id. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  business_name!: string;

  /** Null when a discover-competitors search named no place. */
  @Prop({ type: String, default: null })
  location!: string | null;

  @Prop({ type: String, default: null })
  business_type!: string | null;

  @Prop({ type: Number, required: true })
  radius_km!: number;

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  places!: Place[];

  @Prop({ type: Date, required: true })
  created_at!: Date;
}

/** One business of a discovery, filled in stage by stage (one writer at a time: the flow's stages run in turn). */
@Schema({ collection: 'discovery_businesses', versionKey: false, strict: 'throw' })
export class DiscoveryBusiness {
  /** `<discoveryId>:<key>`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  discovery_id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  key!: string;

  @Prop({ type: Number, required: true })
  order!: number;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  place!: Place;

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  validation!: BusinessValidation | null;

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  instagram!: InstagramFinding | null;

  /** Why there is no Instagram finding (no website, no link on it, the profile does not exist…). */
  @Prop({ type: String, default: null })
  instagram_note!: string | null;

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  videos!: BusinessVideo[];

  @Prop({ type: MongooseSchema.Types.Mixed, default: null })
  insights!: BusinessInsights | null;

  @Prop({ type: Date, required: true })
  updated_at!: Date;
}

/** A video a caller stored (content-addressed in STORAGE_DIR): who may use it by checksum. */
@Schema({ collection: 'stored_videos', versionKey: false, strict: 'throw' })
export class StoredVideo {
  /** `<owner key>:<checksum>`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  checksum!: string;

  @Prop({ type: Number, required: true })
  bytes!: number;

  @Prop({ type: String, default: null })
  content_type!: string | null;

  @Prop({ type: String, required: true })
  source_url!: string;

  @Prop({ type: Date, required: true })
  stored_at!: Date;
}

export const DiscoverySchema = SchemaFactory.createForClass(Discovery);
export const DiscoveryBusinessSchema = SchemaFactory.createForClass(DiscoveryBusiness);
DiscoveryBusinessSchema.index({ discovery_id: 1, order: 1 });
export const StoredVideoSchema = SchemaFactory.createForClass(StoredVideo);

/**
 * A caller's name for a stored video (a reel's id, download-video's reelId): analyze-video-content
 * finds the video by it. The latest video stored under a name wins.
 */
@Schema({ collection: 'video_names', versionKey: false, strict: 'throw' })
export class VideoName {
  /** `<owner key>:<sha256 of the name>`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  owner_key!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, required: true })
  checksum!: string;

  @Prop({ type: Date, required: true })
  named_at!: Date;
}

export const VideoNameSchema = SchemaFactory.createForClass(VideoName);
