// The body editor's extensions (django-prose-editor, Tiptap): what it writes is exactly
// what stoa.publishing.sanitizers.clean_post_body keeps, in the order it writes it, so a
// body saved from the editor passes through the sanitiser unchanged.
import {
  Caption as BaseCaption,
  Extension,
  Figure as BaseFigure,
  Heading as BaseHeading,
  Image as BaseImage,
  Link as BaseLink,
  Mark,
  Node,
  OrderedList as BaseOrderedList,
  Plugin,
  gettext,
  updateAttrsDialog,
} from "django-prose-editor/editor"

const SAFE_HREF = /^(?:https?:|mailto:|\/|#)/i

// A link: its address and title, then rel="noopener" as the sanitiser sets it.
export const Link = BaseLink.extend({
  renderHTML({ HTMLAttributes }) {
    const attrs = {}
    if (HTMLAttributes.href && SAFE_HREF.test(HTMLAttributes.href)) {
      attrs.href = HTMLAttributes.href
    }
    if (HTMLAttributes.title) attrs.title = HTMLAttributes.title
    attrs.rel = "noopener"
    return ["a", attrs, 0]
  },
})

// A picture: address and alternative text, size, and the library's responsive sources
// (srcset and sizes, stoa.publishing.renditions), lazily loaded: the sanitiser's order.
export const Image = BaseImage.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      srcset: { default: null, parseHTML: (element) => element.getAttribute("srcset") },
      sizes: { default: null, parseHTML: (element) => element.getAttribute("sizes") },
    }
  },
  renderHTML({ node }) {
    const { src, alt, width, height, srcset, sizes } = node.attrs
    const attrs = { src, alt: alt || "" }
    if (width) attrs.width = width
    if (height) attrs.height = height
    if (srcset) attrs.srcset = srcset
    if (sizes) attrs.sizes = sizes
    attrs.loading = "lazy"
    return ["img", attrs]
  },
})

// A picture's credit, in small type inside its caption (as the library writes it).
export const Small = Mark.create({
  name: "small",
  parseHTML() {
    return [{ tag: "small" }]
  },
  renderHTML() {
    return ["small", 0]
  },
})

// A figure without the editor's own class (bodies carry no classes).
export const Figure = BaseFigure.extend({
  addAttributes() {
    return {}
  },
  renderHTML() {
    return ["figure", 0]
  },
})

// A numbered list: where it starts, if not at 1 (the sanitiser keeps no list type).
export const OrderedList = BaseOrderedList.extend({
  renderHTML({ node }) {
    const attrs = {}
    if (node.attrs.start && node.attrs.start !== 1) attrs.start = node.attrs.start
    return ["ol", attrs, 0]
  },
})

// A caption without the editor's own class.
export const Caption = BaseCaption.extend({
  addAttributes() {
    return {}
  },
  renderHTML() {
    return ["figcaption", 0]
  },
})

// Headings start at h2 (the page's title is the h1); a pasted h1 becomes the top level
// and h5/h6 the lowest, so a document's structure survives a paste.
export const Heading = BaseHeading.extend({
  parseHTML() {
    const levels = this.options.levels
    const top = levels[0]
    const bottom = levels[levels.length - 1]
    return [1, 2, 3, 4, 5, 6].map((n) => ({
      tag: `h${n}`,
      attrs: { level: levels.includes(n) ? n : n < top ? top : bottom },
    }))
  },
})

const allowedEmbed = (src, prefixes) =>
  typeof src === "string" && prefixes.some((prefix) => src.startsWith(prefix))

// A video player from an allowlisted host (settings.STOA["EMBED_PREFIXES"]), as an iframe.
// In the editor it is drawn as a labelled box, so writing loads nothing from the host.
export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { prefixes: [] }
  },

  addAttributes() {
    return {
      src: { default: null },
      title: { default: "" },
    }
  },

  parseHTML() {
    return [
      {
        tag: "iframe[src]",
        getAttrs: (element) => {
          const src = element.getAttribute("src")
          if (!allowedEmbed(src, this.options.prefixes)) return false
          return { src, title: element.getAttribute("title") || "" }
        },
      },
    ]
  },

  renderHTML({ node }) {
    return [
      "iframe",
      {
        src: node.attrs.src,
        title: node.attrs.title || gettext("Video"),
        allowfullscreen: "true",
        loading: "lazy",
      },
    ]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("div")
      dom.className = "desk-embed"
      dom.textContent = `${gettext("Video")}: ${node.attrs.title || node.attrs.src}`
      return { dom }
    }
  },

  addCommands() {
    return {
      insertEmbed:
        () =>
        ({ editor }) => {
          const prefixes = this.options.prefixes
          updateAttrsDialog(
            {
              src: {
                type: "string",
                title: gettext("Player address"),
                description: `${gettext("Allowed")}: ${prefixes.join(", ")}`,
                required: true,
              },
              title: {
                type: "string",
                title: gettext("Title (read to people who cannot see the player)"),
                required: true,
              },
            },
            { title: gettext("Embed a video"), submitText: gettext("Insert") },
          )(editor, { src: "", title: "" }).then((attrs) => {
            if (!attrs) return
            const src = (attrs.src || "").trim()
            if (!allowedEmbed(src, prefixes)) {
              window.alert(
                `${gettext("Only players from these addresses can be embedded")}: ${prefixes.join(", ")}`,
              )
              return
            }
            editor
              .chain()
              .focus()
              .insertContent({ type: this.name, attrs: { src, title: attrs.title.trim() } })
              .run()
          })
          return true
        },
    }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      command(editor) {
        editor.commands.insertEmbed()
      },
      button: buttons.material("smart_display", gettext("embed a video")),
      option: null,
    })
  },
})

// Word's lists arrive as paragraphs styled "mso-list:l0 level1" with the bullet or number
// in a span; make them lists again before the editor reads the paste (the editor's schema
// then keeps headings, lists, links and emphasis, and drops styles, fonts and classes).
const MARKER = /^\s*(?:\(?[0-9]{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxlcdmIVXLCDM]{1,6}[.)])/
const wordListLevel = (element) => {
  const style = element.getAttribute("style") || ""
  const match = /mso-list:\s*l\d+\s+level(\d+)/i.exec(style)
  return match ? Number(match[1]) : 0
}

export const wordLists = (html) => {
  if (!/mso-list/i.test(html)) return html
  const doc = new DOMParser().parseFromString(html, "text/html")
  const paragraphs = [...doc.body.querySelectorAll("p")].filter((p) => wordListLevel(p))
  let stack = []
  let previous = null
  for (const p of paragraphs) {
    const level = wordListLevel(p)
    const marker = p.querySelector('span[style*="mso-list:Ignore"], span[style*="mso-list: Ignore"]')
    const ordered = marker ? MARKER.test(marker.textContent) : false
    marker?.remove()
    if (previous === null || p.previousElementSibling !== previous) stack = []
    while (stack.length > level) stack.pop()
    while (stack.length < level) {
      const list = doc.createElement(ordered ? "ol" : "ul")
      if (stack.length) {
        const parentItem = stack[stack.length - 1].lastElementChild
        ;(parentItem || stack[stack.length - 1]).append(list)
      } else {
        p.before(list)
      }
      stack.push(list)
    }
    const item = doc.createElement("li")
    item.append(...p.childNodes)
    stack[stack.length - 1].append(item)
    // The next paragraph continues this list only if it came right after this one.
    const placeholder = doc.createElement("span")
    p.replaceWith(placeholder)
    previous = placeholder
  }
  doc.body.querySelectorAll("span:empty").forEach((span) => {
    if (!span.attributes.length) span.remove()
  })
  return doc.body.innerHTML
}

export const StoaPaste = Extension.create({
  name: "stoaPaste",
  addProseMirrorPlugins() {
    return [new Plugin({ props: { transformPastedHTML: wordLists } })]
  },
})

// The media library (stoa.publishing's picture library in the admin): search it, choose a
// picture, and its ready-made figure (with alt text, caption and credit) goes in the body.
const pictureDialog = (url) =>
  new Promise((resolve) => {
    const dialog = document.createElement("dialog")
    dialog.className = "desk-library"
    dialog.setAttribute("aria-labelledby", "desk-library-title")
    dialog.innerHTML = `
      <h2 id="desk-library-title">${gettext("Insert a picture from the library")}</h2>
      <form method="dialog" class="desk-library__search" role="search">
        <label for="desk-library-q">${gettext("Search pictures")}</label>
        <input type="search" id="desk-library-q" name="q">
        <button type="submit" class="button">${gettext("Search")}</button>
      </form>
      <p class="desk-library__status" role="status"></p>
      <ul class="desk-library__results"></ul>
      <p><button type="button" class="button desk-library__close">${gettext("Close")}</button></p>`
    document.body.append(dialog)
    const results = dialog.querySelector(".desk-library__results")
    const status = dialog.querySelector(".desk-library__status")
    const input = dialog.querySelector("input")
    const close = (value) => {
      dialog.close()
      dialog.remove()
      resolve(value)
    }
    const search = async () => {
      status.textContent = gettext("Searching…")
      results.textContent = ""
      const response = await fetch(`${url}?q=${encodeURIComponent(input.value)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      if (!response.ok) {
        status.textContent = gettext("The library could not be read.")
        return
      }
      const data = await response.json()
      status.textContent = `${data.count} ${data.count === 1 ? gettext("picture") : gettext("pictures")}`
      for (const item of data.results) {
        const li = document.createElement("li")
        const button = document.createElement("button")
        button.type = "button"
        button.className = "desk-library__pick"
        const img = document.createElement("img")
        img.src = item.thumbnail || item.url
        img.alt = ""
        img.width = 120
        const label = document.createElement("span")
        label.textContent = `${item.title} — ${item.alt}`
        button.append(img, label)
        button.addEventListener("click", () => close(item))
        li.append(button)
        results.append(li)
      }
    }
    dialog.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault()
      search()
    })
    dialog.querySelector(".desk-library__close").addEventListener("click", () => close(null))
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault()
      close(null)
    })
    dialog.showModal()
    input.focus()
    search()
  })

export const PictureLibrary = Extension.create({
  name: "pictureLibrary",
  addOptions() {
    return { url: "" }
  },
  addCommands() {
    return {
      insertLibraryPicture:
        () =>
        ({ editor }) => {
          if (!this.options.url) return false
          pictureDialog(this.options.url).then((item) => {
            // After the selection, never in place of it: a picture replaces no words.
            const at = editor.state.selection.to
            if (item) editor.chain().focus().insertContentAt(at, item.html).run()
            else editor.commands.focus()
          })
          return true
        },
    }
  },
  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "pictureLibrary",
      groups: "nodes",
      command(editor) {
        editor.commands.insertLibraryPicture()
      },
      button: buttons.material("photo_library", gettext("insert a picture from the library")),
      option: null,
    })
  },
})
