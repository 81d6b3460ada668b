import {families, methodPath, methods} from "./src/catalog.ts";

// The sidebar lists the live notebooks by family; the gallery (index) lists every method.
const pages = families
  .map((family) => ({
    name: family.title,
    pages: methods
      .filter((m) => m.family === family.id && m.status === "live")
      .map((m) => ({name: m.title, path: `/${methodPath(m)}`}))
  }))
  .filter((section) => section.pages.length > 0)
  .concat([
    {name: "Views", pages: [{name: "Loss landscapes", path: "/views/loss-landscapes"}]},
    {
      name: "Library",
      pages: [
        {name: "Loss library", path: "/library/losses"},
        {name: "Embedding LossLab", path: "/embedding"}
      ]
    }
  ]);

export default {
  root: "notebooks",
  title: "LossLab",
  pages,
  // No Google Fonts: the site must not request anything from other hosts (system fonts instead).
  globalStylesheets: [],
  style: "style.css",
  // ?embed=1 (a notebook in another site's iframe) marks the page before it paints; style.css then
  // shows only the figures and controls.
  head:
    '<script>if (new URLSearchParams(location.search).get("embed") === "1") document.documentElement.classList.add("losslab-embed");</script>' +
    '<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Cpath d=%22M1 2 Q5 14 8 9 T15 3%22 fill=%22none%22 stroke=%22%23E69F00%22 stroke-width=%222.5%22/%3E%3C/svg%3E">',
  footer: "LossLab — see what a loss function does. Trains live in your browser with TensorFlow.js.",
  toc: true,
  search: false,
  linkify: true,
  typographer: false
};
