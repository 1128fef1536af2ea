/**
 * Seeks the article page's player from outside it (a highlight's time): the audio or video element, or the YouTube
 * embed through its postMessage API, as the player's own chapter buttons do.
 */
export function seekPlayer(seconds: number): boolean {
  const media = document.querySelector<HTMLMediaElement>(".player audio, .player video");
  if (media) {
    media.currentTime = seconds;
    void media.play().catch(() => undefined);
    return true;
  }
  const frame = document.querySelector<HTMLIFrameElement>(".player iframe");
  if (!frame?.contentWindow) return false;
  for (const [func, args] of [
    ["seekTo", [seconds, true]],
    ["playVideo", []],
  ] as const) {
    frame.contentWindow.postMessage(JSON.stringify({ event: "command", func, args }), "*");
  }
  return true;
}
