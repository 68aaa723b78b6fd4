// Reads a Bookinfo product page the way a learner looks at it, into the simulator's outcome labels. The markup
// is Bookinfo's own (istio/istio samples/bookinfo/src/productpage/templates/productpage.html): the Tailwind
// template of the current images draws the stars in `<div class="flex gap-x-1 text-<colour>-500">`, the older
// Bootstrap one in `<font color="<colour>">`; a failed details call renders "Error fetching product details", a
// failed reviews call "Error fetching product reviews" (both ended in "!" in the older template), and reviews
// v2/v3 put the text "Ratings service is currently unavailable" where the stars go when ratings fails.
// Precedence follows the simulator: the first failing call of productpage decides (details before reviews).
import type { Outcome } from '../exercises.ts';

export interface PageView {
  outcome: Outcome;
  /** The user name the page shows as signed in, if any. */
  signedInAs?: string;
}

const TITLE = /<title>\s*Simple Bookstore App\s*<\/title>/i;
const STAR_COLOUR = [/<div[^>]*\bclass="[^"]*\bgap-x-1\b[^"]*\btext-([a-z]+)-500\b/i, /<font\s+color="([a-z]+)"/i];

function colourOf(html: string): string | undefined {
  for (const pattern of STAR_COLOUR) {
    const m = pattern.exec(html);
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}

/** The user the navigation bar names: the Tailwind template's `<p class="... text-gray-50">user</p>`, the older "signed in as". */
function signedIn(html: string): string | undefined {
  const tailwind = /<p class="text-base font-medium text-gray-50">\s*([^<]*?)\s*<\/p>/.exec(html);
  if (tailwind?.[1]) return decode(tailwind[1]);
  const bootstrap = /signed in as\s*(?:<[^>]+>\s*)*([^<\s][^<]*?)\s*</i.exec(html);
  return bootstrap?.[1] ? decode(bootstrap[1]) : undefined;
}

function decode(text: string): string {
  return text.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The outcome a page shows; an HTTP error, or anything that is not Bookinfo's product page, is `page-error`. */
export function classifyPage(status: number, html: string): PageView {
  const who = signedIn(html);
  const view = (outcome: Outcome): PageView => (who ? { outcome, signedInAs: who } : { outcome });
  if (status !== 200 || !TITLE.test(html)) return { outcome: 'page-error' };
  if (/Error fetching product details/.test(html)) return view('details-error');
  if (/Error fetching product reviews/.test(html)) return view('reviews-error');
  if (/Ratings service is currently unavailable/.test(html)) return view('ratings-unavailable');
  const colour = colourOf(html);
  if (colour === 'red') return view('red-stars');
  if (colour === 'black') return view('black-stars');
  // Stars of another colour are not something Bookinfo draws; report the page as the closest failure.
  if (colour !== undefined) return view('page-error');
  return view('no-stars');
}
