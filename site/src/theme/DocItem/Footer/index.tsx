/**
 * The doc footer, plus "Download .ipynb" and "View source" links on notebook pages.
 * nbconvert-ts writes the notebook's download path (`download`) and its edit link
 * (`custom_edit_url`) into the page's front matter; pages without them are untouched.
 */
import React, { type ReactNode } from 'react';
// @theme-init: the classic theme's footer (from a plugin's theme path, @theme-original would be this file).
import Footer from '@theme-init/DocItem/Footer';
import type FooterType from '@theme/DocItem/Footer';
import type { WrapperProps } from '@docusaurus/types';
import { useDoc } from '@docusaurus/plugin-content-docs/client';
import useBaseUrl from '@docusaurus/useBaseUrl';

type Props = WrapperProps<typeof FooterType>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The page's source on the forge: an explicit field, else the edit link turned into a view link. */
function sourceUrl(frontMatter: Record<string, unknown>): string | undefined {
  const explicit = text(frontMatter.source_url) ?? text(frontMatter.source);
  if (explicit) return explicit;
  const edit = text(frontMatter.custom_edit_url);
  return edit?.replace(/\/edit\/([^/]+)\//, '/blob/$1/');
}

function NotebookLinks({ download, source }: { download?: string; source?: string }): ReactNode {
  const href = useBaseUrl(download ?? '/');
  const file = download?.split('/').pop();
  return (
    <nav className="nb-footer-links" aria-label="This notebook">
      <span className="nb-footer-label">This notebook:</span>
      {download && (
        // A plain anchor: the file is a static asset, not a route of the site.
        <a className="nb-footer-download" href={href} download={file}>
          Download .ipynb
        </a>
      )}
      {source && (
        <a className="nb-footer-source" href={source} target="_blank" rel="noopener noreferrer">
          View source
        </a>
      )}
    </nav>
  );
}

export default function FooterWrapper(props: Props): ReactNode {
  const { frontMatter } = useDoc();
  const fields = frontMatter as Record<string, unknown>;
  const download = text(fields.download);
  const source = download ? sourceUrl(fields) : undefined;
  return (
    <>
      {(download || source) && <NotebookLinks download={download} source={source} />}
      <Footer {...props} />
    </>
  );
}
