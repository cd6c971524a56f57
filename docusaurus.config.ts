import type { Config } from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// Where the course's sources live, for "edit this page" and "view source" links.
const repository = process.env.COURSE_REPOSITORY_URL ?? 'https://github.com/cnn-course-ts/cnn-course-ts';

const config: Config = {
  title: 'Convolutional networks in TypeScript',
  tagline: 'A hands-on course: real data, pretrained networks, TensorFlow.js, executable notebooks',
  // Where the site is published: CI sets both from the repository's GitHub Pages settings.
  url: process.env.COURSE_SITE_URL || 'https://cnn-course-ts.github.io',
  baseUrl: (process.env.COURSE_BASE_URL || '/').replace(/\/?$/, '/'),
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  favicon: 'img/favicon.svg',
  trailingSlash: false,
  markdown: { format: 'detect', hooks: { onBrokenMarkdownLinks: 'throw' } },
  i18n: { defaultLocale: 'en', locales: ['en'] },
  staticDirectories: ['site/static'],
  clientModules: ['./site/src/clientModules/vega.ts', './site/src/clientModules/run-in-browser.ts'],
  stylesheets: [],
  presets: [
    [
      'classic',
      {
        docs: {
          path: 'site/docs',
          routeBasePath: '/',
          sidebarPath: './sidebars.ts',
          remarkPlugins: [remarkMath],
          rehypePlugins: [rehypeKatex],
          // Hand-written pages link to their source; notebook pages carry their own
          // custom_edit_url (the .ipynb); the generated library reference has none.
          editUrl: ({ docPath }) =>
            docPath.startsWith('api/') ? undefined : `${repository}/edit/main/site/docs/${docPath}`,
        },
        blog: false,
        pages: false,
        theme: { customCss: ['./site/src/css/custom.css', require.resolve('katex/dist/katex.min.css')] },
      } satisfies Preset.Options,
    ],
  ],
  plugins: [
    // The site's own theme components (site/src/theme), e.g. the notebook links in the doc footer.
    () => ({
      name: 'course-theme',
      getThemePath: () => fileURLToPath(new URL('./site/src/theme', import.meta.url)),
    }),
    // The project's package.json says "type": "module", so webpack would parse the
    // generated route registry as strict ESM and leave its require.resolveWeak
    // calls unresolved; it is CommonJS-style code, so parse it as such.
    () => ({
      name: 'generated-files-as-auto-modules',
      configureWebpack: () => ({
        module: { rules: [{ test: /[\\/]\.docusaurus[\\/].*\.js$/, type: 'javascript/auto' }] },
        // vega's optional Node canvas renderer; the site renders charts as SVG.
        resolve: { alias: { canvas: false } },
      }),
    }),
  ],
  themes: [
    [
      '@easyops-cn/docusaurus-search-local',
      {
        hashed: true,
        docsDir: 'site/docs',
        docsRouteBasePath: '/',
        indexBlog: false,
        indexPages: false,
        highlightSearchTermsOnTargetPage: true,
      },
    ],
  ],
  themeConfig: {
    colorMode: { respectPrefersColorScheme: true },
    navbar: {
      title: 'CNNs in TypeScript',
      items: [
        { type: 'docSidebar', sidebarId: 'course', position: 'left', label: 'Course' },
        { to: '/setup', label: 'Setup', position: 'left' },
        { href: repository, label: 'Source', position: 'right' },
      ],
    },
    footer: {
      style: 'dark',
      copyright:
        'Course text and code: MIT. Lecture outline after Stanford CS230/CS231n and the Deep Learning Specialization.',
    },
    prism: { additionalLanguages: ['bash', 'json'] },
  } satisfies Preset.ThemeConfig,
};

export default config;
