import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "article-summarizer",
  description: "Turn any URL into a saved, structured summary, with live progress.",
  icons: { icon: "/icons/icon-192.png", apple: "/icons/apple-touch-icon.png" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
          <nav aria-label="Main">
            <a href="/admin">Summarize</a>
            <a href="/articles">Library</a>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
