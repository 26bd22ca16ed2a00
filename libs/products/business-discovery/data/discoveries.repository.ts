import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { plainString } from '@conveyor/database';
import { Discovery, DiscoveryBusiness, StoredVideo, VideoName } from './discovery.schemas';
import type { BusinessInsights, BusinessValidation, BusinessVideo, InstagramFinding, Place } from './discovery.types';

/** A discovery's businesses and the videos callers stored, always read within one owner. */
@Injectable()
export class DiscoveriesRepository {
  constructor(
    @InjectModel(Discovery.name) private readonly discoveries: Model<Discovery>,
    @InjectModel(DiscoveryBusiness.name) private readonly businesses: Model<DiscoveryBusiness>,
    @InjectModel(StoredVideo.name) private readonly videos: Model<StoredVideo>,
    @InjectModel(VideoName.name) private readonly names: Model<VideoName>,
  ) {}

  /** Keeps the discovery as first written: a redelivered run gets the places its first attempt found. */
  async open(discovery: Discovery): Promise<Discovery> {
    const { _id, ...fields } = discovery;
    await this.discoveries.updateOne({ _id: plainString(_id) }, { $setOnInsert: fields }, { upsert: true }).exec();
    return withNulls((await this.discoveries.findById(plainString(_id)).lean<Discovery>().exec())!);
  }

  async discovery(ownerKey: string, id: string): Promise<Discovery | null> {
    const found = await this.discoveries
      .findOne({ _id: plainString(id), owner_key: plainString(ownerKey) })
      .lean<Discovery>()
      .exec();
    return found && withNulls(found);
  }

  /** Each business once (its first record stands). */
  async addBusinesses(discovery: Discovery, entries: Array<{ key: string; place: Place }>): Promise<void> {
    if (entries.length === 0) return;
    await this.businesses.bulkWrite(
      entries.map(({ key, place }, order) => ({
        updateOne: {
          filter: { _id: businessId(discovery._id, key) },
          update: {
            // Bulk upserts do not apply the schema's defaults.
            $setOnInsert: {
              discovery_id: discovery._id,
              owner_key: discovery.owner_key,
              key,
              order,
              place,
              validation: null,
              instagram: null,
              instagram_note: null,
              insights: null,
              updated_at: new Date(),
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async ofDiscovery(ownerKey: string, discoveryId: string): Promise<DiscoveryBusiness[]> {
    const found = await this.businesses
      .find({ discovery_id: plainString(discoveryId), owner_key: plainString(ownerKey) })
      .sort({ order: 1 })
      .lean<DiscoveryBusiness[]>()
      .exec();
    // Bulk upserts store no empty array (Mongoose drops it from $setOnInsert), so a business without videos reads none.
    return found.map((b) => ({ ...b, videos: b.videos ?? [] }));
  }

  async saveDetection(
    ownerKey: string,
    discoveryId: string,
    key: string,
    detection: { validation: BusinessValidation; instagram: InstagramFinding | null; note: string | null },
  ): Promise<void> {
    await this.update(ownerKey, discoveryId, key, {
      validation: detection.validation,
      instagram: detection.instagram,
      instagram_note: detection.note,
    });
  }

  async saveVideos(ownerKey: string, discoveryId: string, key: string, videos: BusinessVideo[]): Promise<void> {
    await this.update(ownerKey, discoveryId, key, { videos });
  }

  async saveInsights(ownerKey: string, discoveryId: string, key: string, insights: BusinessInsights): Promise<void> {
    await this.update(ownerKey, discoveryId, key, { insights });
  }

  /** Who may use a stored video by its checksum (the bytes are kept once, whoever stored them). */
  async rememberVideo(video: Omit<StoredVideo, '_id'>): Promise<void> {
    const { owner_key, checksum, ...fields } = video;
    await this.videos
      .updateOne({ _id: `${owner_key}:${checksum}` }, { $setOnInsert: { owner_key, checksum, ...fields } }, { upsert: true })
      .exec();
  }

  /** `name` now means this video for `ownerKey` (the latest store under a name wins). */
  async nameVideo(ownerKey: string, name: string, checksum: string): Promise<void> {
    await this.names
      .updateOne(
        { _id: videoNameId(ownerKey, name) },
        { $set: { checksum, named_at: new Date() }, $setOnInsert: { owner_key: ownerKey, name } },
        { upsert: true },
      )
      .exec();
  }

  /** The checksum of the video `ownerKey` last stored under `name`, or null. */
  async checksumNamed(ownerKey: string, name: string): Promise<string | null> {
    const found = await this.names
      .findById(plainString(videoNameId(ownerKey, name)))
      .lean<VideoName>()
      .exec();
    return found?.owner_key === ownerKey ? found.checksum : null;
  }

  async storedVideo(ownerKey: string, checksum: string): Promise<StoredVideo | null> {
    return this.videos
      .findById(`${plainString(ownerKey)}:${plainString(checksum)}`)
      .lean<StoredVideo>()
      .exec();
  }

  private async update(ownerKey: string, discoveryId: string, key: string, fields: Partial<DiscoveryBusiness>): Promise<void> {
    await this.businesses
      .updateOne(
        { _id: businessId(plainString(discoveryId), plainString(key)), owner_key: plainString(ownerKey) },
        { $set: { ...fields, updated_at: new Date() } },
      )
      .exec();
  }
}

function businessId(discoveryId: string, key: string): string {
  return `${discoveryId}:${key}`;
}

/** An upsert's $setOnInsert may store no null field or empty array, and lean reads apply no defaults. */
function withNulls(discovery: Discovery): Discovery {
  return {
    ...discovery,
    location: discovery.location ?? null,
    business_type: discovery.business_type ?? null,
    places: discovery.places ?? [],
  };
}

/**
 * A name's document id: the owner, then a hash of the name. Both may contain `:`; a hash of fixed
 * length keeps `<owner>:<name>` pairs from ever meeting (`user:a` + `x:y` against `user:a:x` + `y`).
 */
function videoNameId(ownerKey: string, name: string): string {
  return `${ownerKey}:${createHash('sha256').update(name).digest('hex')}`;
}
