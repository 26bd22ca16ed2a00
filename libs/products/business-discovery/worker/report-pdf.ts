import PDFDocument from 'pdfkit';
import type { CompetitorReportContent, ReportBusiness, WeeklyPoint } from '../data';

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * The report as a PDF (pdfkit, its built-in Helvetica): a title page with the summary, a section
 * per business (its facts and top reels as tables, hooks and peaks), and the trends: a chart of
 * views per week per business and a weekly table.
 */
export function renderReportPdf(report: CompetitorReportContent): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: report.title, Producer: 'Conveyor' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  titlePage(doc, report);
  for (const business of report.businesses) businessSection(doc, business);
  trendsSection(doc, report);
  doc.end();
  return done;
}

function titlePage(doc: Doc, report: CompetitorReportContent): void {
  const { discovery, summary } = report;
  doc.moveDown(6).fontSize(26).font('Helvetica-Bold').text(report.title, { align: 'center' });
  doc
    .moveDown(1)
    .fontSize(12)
    .font('Helvetica')
    .text(`Generated ${new Date().toISOString().slice(0, 10)} by Conveyor`, { align: 'center' });
  doc.moveDown(3);
  table(doc, ['', ''], [
    ['Business', discovery.businessName],
    ['Location', discovery.location ?? 'not given'],
    ['Searched for', discovery.businessType ?? discovery.businessName],
    ['Radius', `${discovery.radiusKm} km`],
    ['Businesses found', String(summary.businessesFound)],
    ['With Instagram', String(summary.withInstagram)],
    ['Without Instagram', String(summary.withoutInstagram)],
    ['Videos analysed', String(summary.videosAnalysed)],
  ], [160, 335]); // prettier-ignore
}

function businessSection(doc: Doc, business: ReportBusiness): void {
  doc.addPage();
  doc.fontSize(18).font('Helvetica-Bold').text(business.name);
  doc.moveDown(0.5);
  const ig = business.instagram;
  table(doc, ['', ''], [
    ['Address', business.address ?? 'not given'],
    ['Website', business.website ?? 'none'],
    ['Category', business.category ?? '-'],
    ['Rating', business.rating === null ? '-' : String(business.rating)],
    ['Checks', business.validation ? (business.validation.valid ? 'valid' : business.validation.problems.join('; ')) : 'not checked'],
    ['Instagram', ig ? `@${ig.handle}` : `none: ${business.noInstagramReason ?? ''}`],
    ...(ig
      ? [
          ['Followers', ig.followers === null ? '-' : ig.followers.toLocaleString('en-US')],
          ['Reels analysed', String(ig.reelsCount)],
          ['Median views', ig.medianViews.toLocaleString('en-US')],
          ['Engagement', `${(ig.averageEngagementRate * 100).toFixed(2)} %`],
          ['Posts per week', ig.postsPerWeek === null ? '-' : String(ig.postsPerWeek)],
        ]
      : []),
  ], [120, 375]); // prettier-ignore
  if (!ig) return;
  heading(doc, 'Top reels by outlier score');
  table(
    doc,
    ['Reel', 'Posted', 'Views', 'Outlier', 'Peaks (s)'],
    ig.topReels.map((r) => [
      r.caption ? `${r.id}: ${r.caption.slice(0, 40)}` : r.id,
      r.posted_at.slice(0, 10),
      r.views.toLocaleString('en-US'),
      `${r.outlier_score}x`,
      r.highlights.length > 0 ? r.highlights.map((h) => Math.round(h.start_seconds)).join(', ') : '-',
    ]),
    [185, 75, 75, 55, 105],
  );
  const hooks = business.insights?.bestHooks ?? [];
  if (hooks.length > 0) {
    heading(doc, 'Best hooks');
    table(
      doc,
      ['Pattern', 'Reels', 'Avg outlier', 'Example'],
      hooks.map((h) => [h.pattern, String(h.count), `${h.average_outlier_score}x`, h.examples[0] ?? '']),
      [110, 50, 75, 260],
    );
  }
}

function trendsSection(doc: Doc, report: CompetitorReportContent): void {
  doc.addPage();
  doc.fontSize(18).font('Helvetica-Bold').text('Trends');
  const trends = report.trends;
  if (!trends || trends.overall.length === 0) {
    doc.moveDown().fontSize(11).font('Helvetica').text('No reels to chart: no business had Instagram reels.');
    return;
  }
  doc
    .moveDown(0.5)
    .fontSize(11)
    .font('Helvetica')
    .text(`Views per post, all businesses: ${trends.direction} (${trends.viewsSlopePerWeek} a week).`);
  heading(doc, 'Views per week');
  viewsChart(
    doc,
    trends.byBusiness.map((b) => ({ name: b.name, points: b.weeks })),
  );
  heading(doc, 'By business');
  table(
    doc,
    ['Business', 'Weeks', 'Direction', 'Change a week'],
    trends.byBusiness.map((b) => [b.name, String(b.weeks.length), b.direction, String(b.viewsSlopePerWeek)]),
    [200, 60, 110, 125],
  );
}

/** A line chart of views per week, one series per business, on a shared time axis. */
function viewsChart(doc: Doc, series: Array<{ name: string; points: WeeklyPoint[] }>): void {
  const weeks = [...new Set(series.flatMap((s) => s.points.map((p) => p.week)))].sort();
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.views)));
  const left = MARGIN + 45;
  const top = doc.y + 10;
  const width = doc.page.width - left - MARGIN;
  const height = 180;
  const x = (week: string) => left + (weeks.length === 1 ? width / 2 : (weeks.indexOf(week) / (weeks.length - 1)) * width);
  const y = (views: number) => top + height - (views / max) * height;
  doc.save().lineWidth(0.5).strokeColor('#888888');
  doc
    .moveTo(left, top)
    .lineTo(left, top + height)
    .lineTo(left + width, top + height)
    .stroke();
  doc.fontSize(7).fillColor('#444444').font('Helvetica');
  for (const fraction of [0, 0.5, 1])
    doc.text(Math.round(max * fraction).toLocaleString('en-US'), MARGIN, y(max * fraction) - 3, { width: 40, align: 'right' });
  for (const week of [weeks[0], weeks[weeks.length - 1]]) doc.text(week, x(week) - 25, top + height + 4, { width: 50, align: 'center' });
  series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    doc.strokeColor(colour).fillColor(colour).lineWidth(1.5);
    s.points.forEach((p, j) => (j === 0 ? doc.moveTo(x(p.week), y(p.views)) : doc.lineTo(x(p.week), y(p.views))));
    if (s.points.length > 1) doc.stroke();
    for (const p of s.points) doc.circle(x(p.week), y(p.views), 2).fill();
    doc.fontSize(8).text(s.name, left + 5, top + 5 + i * 11, { lineBreak: false });
  });
  doc.restore();
  doc.x = MARGIN;
  doc.y = top + height + 25;
}

function heading(doc: Doc, text: string): void {
  doc.x = MARGIN;
  doc.moveDown(1).fontSize(13).font('Helvetica-Bold').fillColor('black').text(text);
  doc.moveDown(0.3);
}

/** A table with a bold header row (when the header has text), wrapping cells, a new page when full. */
function table(doc: Doc, header: string[], rows: string[][], widths: number[]): void {
  const padding = 4;
  const draw = (cells: string[], bold: boolean) => {
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor('black');
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i] - 2 * padding }))) + 2 * padding;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.text(cell, x + padding, y + padding, { width: widths[i] - 2 * padding });
      x += widths[i];
    });
    doc
      .moveTo(MARGIN, y + height)
      .lineTo(x, y + height)
      .lineWidth(0.3)
      .strokeColor('#cccccc')
      .stroke();
    doc.x = MARGIN;
    doc.y = y + height;
  };
  if (header.some((h) => h.length > 0)) draw(header, true);
  for (const row of rows) draw(row, false);
}
