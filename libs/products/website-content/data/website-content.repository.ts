import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { insertUnlessDuplicate, isDuplicateKey, plainString } from '@conveyor/database';
import { ContentPost } from './content-post.schema';
import { SiteAnalysis } from './site-analysis.schema';
import { SiteCta } from './site-cta.schema';
import { SiteOrganization } from './site-organization.schema';

/** A call to action as the analysis found it. */
export interface FoundCta {
  text: string;
  target: string;
  kind: 'button' | 'link';
  pageUrl: string;
}

/**
 * The product's records: organizations (one per owner), their website analyses, calls to action
 * (one per organization and target) and generated posts (one per job). Every write is keyed so a
 * redelivered job writes nothing twice.
 */
@Injectable()
export class WebsiteContentRepository {
  constructor(
    @InjectModel(SiteOrganization.name) private readonly organizations: Model<SiteOrganization>,
    @InjectModel(SiteAnalysis.name) private readonly analyses: Model<SiteAnalysis>,
    @InjectModel(SiteCta.name) private readonly ctas: Model<SiteCta>,
    @InjectModel(ContentPost.name) private readonly posts: Model<ContentPost>,
  ) {}

  /** The owner's organization, created on first use; two first uses at once make one (unique owner). */
  async organizationOf(ownerKey: string): Promise<SiteOrganization> {
    const found = await this.organizations
      .findOne({ ownerKey: plainString(ownerKey) })
      .lean<SiteOrganization>()
      .exec();
    if (found) return found;
    const created: SiteOrganization = { _id: randomUUID(), ownerKey, website: null, createdAt: new Date() };
    if (await insertUnlessDuplicate(this.organizations, created)) return created;
    const winner = await this.organizations.findOne({ ownerKey }).lean<SiteOrganization>().exec();
    if (!winner) throw new Error(`Organization of ${ownerKey} vanished after a duplicate insert`);
    return winner;
  }

  /** The owner's organization if it exists (no creation). */
  async findOrganization(ownerKey: string): Promise<SiteOrganization | null> {
    return this.organizations
      .findOne({ ownerKey: plainString(ownerKey) })
      .lean<SiteOrganization>()
      .exec();
  }

  /** Keeps the analysis a job made (written again, identically, by a redelivery) and notes the website. */
  async saveAnalysis(jobId: string, organizationId: string, url: string, analysis: object): Promise<void> {
    await this.analyses
      .replaceOne({ _id: jobId }, { _id: jobId, organizationId, url, analysis, analysedAt: new Date() }, { upsert: true })
      .exec();
    await this.organizations.updateOne({ _id: organizationId }, { $set: { website: url } }).exec();
  }

  /** Saves the calls to action the organization does not have yet (by target); returns how many were new. */
  async saveCtas(organizationId: string, found: FoundCta[]): Promise<number> {
    const now = new Date();
    const documents: SiteCta[] = found.map((cta) => ({ _id: randomUUID(), organizationId, ...cta, firstSeenAt: now }));
    if (documents.length === 0) return 0;
    try {
      const inserted = await this.ctas.insertMany(documents, { ordered: false });
      return inserted.length;
    } catch (error) {
      // Targets already saved are refused by the unique index; the others were inserted.
      // (Mongoose hands the driver's write errors over as `{ err, index }`.)
      const writeErrors = (error as { writeErrors?: Array<{ err?: unknown }> }).writeErrors;
      if (!Array.isArray(writeErrors) || !writeErrors.every((w) => isDuplicateKey(w) || isDuplicateKey(w.err))) throw error;
      return documents.length - writeErrors.length;
    }
  }

  async ctasOf(organizationId: string): Promise<SiteCta[]> {
    return this.ctas
      .find({ organizationId: plainString(organizationId) })
      .sort({ firstSeenAt: 1, _id: 1 })
      .lean<SiteCta[]>()
      .exec();
  }

  /** Saves a job's post once: a redelivered job finds the post its first delivery saved. */
  async savePost(post: ContentPost): Promise<ContentPost> {
    if (await insertUnlessDuplicate(this.posts, post)) return post;
    const saved = await this.posts.findById(post._id).lean<ContentPost>().exec();
    if (!saved) throw new Error(`Post ${post._id} vanished after a duplicate insert`);
    return saved;
  }

  /** Removes a job's post (its run was closed uncharged while it was being saved). */
  async deletePost(jobId: string): Promise<void> {
    await this.posts.deleteOne({ _id: plainString(jobId) }).exec();
  }

  async findPost(jobId: string): Promise<ContentPost | null> {
    return this.posts.findById(plainString(jobId)).lean<ContentPost>().exec();
  }
}
