import { extractPageFacts, pagesToFollow, socialProfile, textSummary } from './site-facts';

const PAGE = `<!doctype html>
<html lang="en-GB">
<head>
  <title> Stride Shop — running shoes </title>
  <meta name="description" content="Fitted running shoes in Leeds.">
  <script>var tracking = "ignore@me.example";</script>
</head>
<body>
  <nav><a href="/about-us">About us</a> <a href="/pricing">Pricing</a> <a href="/blog/post-1">A post</a>
    <a href="/brochure.pdf">Brochure pricing</a> <a href="#top">Top</a></nav>
  <h1>Run further</h1><h2>Gait analysis</h2><h3>Free fitting</h3>
  <p>Running shoes fitted by runners. Running clubs welcome. Call +44 113 496 0000 or write to hello@stride.example.</p>
  <a class="btn btn-primary" href="/book#now">Book a fitting</a>
  <a href="https://shop.other.example/buy">Buy now</a>
  <a href="mailto:Sales@Stride.example?subject=hi">Email sales</a>
  <a href="tel:+44 113 496 0001">Call the shop</a>
  <form action="/newsletter"><input type="email"><button type="submit">Subscribe</button></form>
  <a href="https://www.instagram.com/stride.shop/">Instagram</a>
  <a href="https://www.tiktok.com/@strideshop">TikTok</a>
  <a href="https://twitter.com/intent/tweet?text=x">Share</a>
  <a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>
  <a href="https://www.linkedin.com/company/stride-shop">LinkedIn</a>
</body></html>`;

describe('extractPageFacts', () => {
  const facts = extractPageFacts(PAGE, 'https://stride.example/');

  it('reads title, description, language and headings', () => {
    expect(facts.title).toBe('Stride Shop — running shoes');
    expect(facts.description).toBe('Fitted running shoes in Leeds.');
    expect(facts.language).toBe('en-GB');
    expect(facts.headings).toEqual([
      { level: 1, text: 'Run further' },
      { level: 2, text: 'Gait analysis' },
      { level: 3, text: 'Free fitting' },
    ]);
  });

  it('finds calls to action with their targets: button-like links, CTA words, form buttons', () => {
    expect(facts.ctas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: 'Book a fitting', target: 'https://stride.example/book', kind: 'button' }),
        expect.objectContaining({ text: 'Buy now', target: 'https://shop.other.example/buy', kind: 'link' }),
        expect.objectContaining({ text: 'Subscribe', target: 'https://stride.example/newsletter', kind: 'button' }),
        expect.objectContaining({ text: 'Call the shop', target: 'tel:+44 113 496 0001', kind: 'link' }),
      ]),
    );
    expect(facts.ctas.map((c) => c.text)).not.toContain('About us');
  });

  it('finds emails and phones in links and text, not in scripts', () => {
    expect(facts.emails.sort()).toEqual(['hello@stride.example', 'sales@stride.example']);
    expect(facts.phones).toEqual(expect.arrayContaining(['+441134960000', '+441134960001']));
  });

  it('finds social profiles and ignores share links', () => {
    expect(facts.socials).toEqual([
      { platform: 'instagram', url: 'https://instagram.com/stride.shop', handle: 'stride.shop' },
      { platform: 'tiktok', url: 'https://tiktok.com/@strideshop', handle: 'strideshop' },
      { platform: 'linkedin', url: 'https://linkedin.com/company/stride-shop', handle: 'stride-shop' },
    ]);
  });

  it('follows about and pricing pages first, never files, fragments or the page itself', () => {
    expect(pagesToFollow(facts, 4)).toEqual(['https://stride.example/about-us', 'https://stride.example/pricing']);
    expect(pagesToFollow(facts, 1)).toEqual(['https://stride.example/about-us']);
  });
});

describe('socialProfile', () => {
  it('knows profiles from posts and intents', () => {
    expect(socialProfile(new URL('https://instagram.com/p/abc'))).toBeNull();
    expect(socialProfile(new URL('https://x.com/stride'))).toMatchObject({ platform: 'x', handle: 'stride' });
    expect(socialProfile(new URL('https://youtube.com/@stride'))).toMatchObject({ platform: 'youtube', handle: 'stride' });
    expect(socialProfile(new URL('https://example.com/stride'))).toBeNull();
    // A malformed escape is not a handle, and never an exception that fails the analysis.
    expect(socialProfile(new URL('https://instagram.com/%E0'))).toBeNull();
    expect(() => extractPageFacts('<a href="mailto:%E0@x.example">mail</a>', 'https://example.com/')).not.toThrow();
  });
});

describe('textSummary', () => {
  it('counts words and ranks keywords without stop words', () => {
    const summary = textSummary('Running shoes for running. The shoes fit; running is fun.');
    expect(summary.wordCount).toBe(10);
    expect(summary.topKeywords.slice(0, 2)).toEqual([
      { word: 'running', count: 3 },
      { word: 'shoes', count: 2 },
    ]);
  });
});
