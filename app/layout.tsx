import type { Metadata } from "next";
import { unstable_rethrow } from "next/navigation";
import type { ReactNode } from "react";
import { SignOut } from "@/app/components/sign-out";
import { pageIsAuthorized } from "@/lib/http/api";
import { getLogger } from "@/lib/services";
import "./globals.css";

export const metadata: Metadata = {
  title: "article-summarizer",
  description: "Turn any URL into a saved, structured summary, with live progress.",
  icons: { icon: "/icons/icon-192.png", apple: "/icons/apple-touch-icon.png" },
};

/** Whether the chrome is a signed-in admin's; an auth store that cannot answer draws the signed-out chrome. */
async function signedIn(): Promise<boolean> {
  try {
    return await pageIsAuthorized();
  } catch (error) {
    // Next's own signals (this page renders per request) pass through; only a failing auth store is caught.
    unstable_rethrow(error);
    getLogger().warn("could not check the session for the page chrome", { error });
    return false;
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const admin = await signedIn();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <a href="/admin" className="brand">
            article-summarizer
          </a>
          {admin ? (
            <nav aria-label="Main">
              <a href="/admin">Summarize</a>
              <a href="/articles">Library</a>
              <SignOut />
            </nav>
          ) : null}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
