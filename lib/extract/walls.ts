/**
 * Pages that stand between the reader and the article: bot challenges, JavaScript shells, login and consent
 * walls. Detected before any LLM money is spent; the check looks at the title and the visible text.
 */
const CHALLENGES: RegExp[] = [
  /^just a moment\.\.\.$/i,
  /attention required! \| cloudflare/i,
  /checking (if the site connection is secure|your browser before accessing)/i,
  /cf-browser-verification|challenge-platform|cf_chl_opt/i,
  /access denied.{0,200}reference #\d/is,
  /(are you a robot|verify you are (a )?human|press (&|and) hold)/i,
  /please enable (javascript|js) and cookies to continue/i,
];
const SHELLS: RegExp[] = [
  /(you need to|please) enable javascript to (run|view|use) this (app|site|page)/i,
  /javascript is (required|disabled)/i,
];
const WALLS: RegExp[] = [
  /(subscribe|sign in|log in|register) to (continue|keep) reading/i,
  /this (article|content) is (only )?(available|reserved) (to|for) (subscribers|members)/i,
  /already a subscriber\?/i,
  /we (and our partners )?use cookies.{0,200}(accept|agree)/is,
];

export function detectWall(input: { title: string; text: string; html: string }): string | null {
  const visible = input.text.replace(/\s+/g, " ").trim();
  const haystack = `${input.title}\n${visible.slice(0, 5_000)}`;
  if (CHALLENGES.some((re) => re.test(haystack) || re.test(input.html.slice(0, 20_000)))) return "a bot challenge";
  // Shells and walls only count when there is little else on the page.
  if (visible.length < 1_500) {
    if (SHELLS.some((re) => re.test(haystack))) return "a page that needs JavaScript";
    if (WALLS.some((re) => re.test(haystack))) return "a login, subscription or consent wall";
  }
  return null;
}
