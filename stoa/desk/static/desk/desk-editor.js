// The desk around each body editor: a word count, and a copy of the text kept in this
// browser while it is written (localStorage, on every pause and when the tab is hidden or
// closed), offered back when the page is opened again with text that was never saved.
const KEY_PREFIX = "stoa-desk:"
const PAUSE_MS = 800

const countWords = (text) => {
  const words = text.trim().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)
  return words ? words.length : 0
}

const clock = (time) =>
  new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })

const read = (key) => {
  try {
    return JSON.parse(window.localStorage.getItem(key) || "null")
  } catch {
    return null
  }
}

const write = (key, value) => {
  try {
    window.localStorage.setItem(key, JSON.stringify(value))
    return true
  } catch {
    return false // storage full or disabled: the count still works
  }
}

const setUp = (editor, textarea) => {
  const key = `${KEY_PREFIX}${window.location.pathname}#${textarea.name}`
  const saved = textarea.value
  const isNew = /\/add\/$/.test(window.location.pathname)
  const wrapper = textarea.closest(".prose-editor") || editor.view.dom.parentElement

  // The editing area is named by the field's label (it is a textbox of its own).
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  const dom = editor.view.dom
  dom.setAttribute("role", "textbox")
  dom.setAttribute("aria-multiline", "true")
  if (label) {
    label.id = label.id || `${textarea.id}-label`
    dom.setAttribute("aria-labelledby", label.id)
  } else {
    dom.setAttribute("aria-label", textarea.name)
  }
  // The toolbar's icon buttons are named by their titles.
  wrapper?.querySelectorAll("[title]").forEach((button) => {
    if (!button.getAttribute("aria-label")) button.setAttribute("aria-label", button.title)
  })

  const status = document.createElement("p")
  status.className = "desk-status help"
  status.id = `${textarea.id}-desk-status`
  const count = document.createElement("span")
  count.className = "desk-status__count"
  const kept = document.createElement("span")
  kept.className = "desk-status__kept"
  status.append(count, " ", kept)
  // Inside the editor's frame: the admin lays a field's label and widget out in a row.
  wrapper?.append(status)
  dom.setAttribute("aria-describedby", status.id)

  const showCount = () => {
    const n = countWords(editor.getText())
    count.textContent = n === 1 ? "1 word." : `${n} words.`
  }
  showCount()

  // Text left from an earlier visit that was never saved: offer it back.
  const earlier = read(key)
  if (earlier && (earlier.html === saved || (earlier.submitted && isNew))) {
    window.localStorage.removeItem(key)
  } else if (earlier && typeof earlier.html === "string") {
    const notice = document.createElement("div")
    notice.className = "desk-restore"
    notice.setAttribute("role", "alert")
    const text = document.createElement("p")
    text.textContent = `Text you wrote here at ${clock(earlier.at)} was not saved; this browser kept it.`
    const restore = document.createElement("button")
    restore.type = "button"
    restore.className = "button"
    restore.textContent = "Restore the unsaved text"
    const discard = document.createElement("button")
    discard.type = "button"
    discard.className = "button"
    discard.textContent = "Discard it"
    restore.addEventListener("click", () => {
      editor.commands.setContent(earlier.html, { emitUpdate: true })
      textarea.value = editor.getHTML()
      notice.remove()
      showCount()
      dom.focus()
    })
    discard.addEventListener("click", () => {
      window.localStorage.removeItem(key)
      notice.remove()
      dom.focus()
    })
    notice.append(text, restore, " ", discard)
    wrapper?.prepend(notice)
  }

  let timer = null
  let dirty = false
  const keep = () => {
    if (!dirty) return
    timer = null
    dirty = false
    const at = Date.now()
    if (write(key, { html: editor.getHTML(), at, base: saved })) {
      kept.textContent = `Kept in this browser at ${clock(at)}.`
    }
  }
  editor.on("update", () => {
    dirty = true
    showCount()
    if (timer) window.clearTimeout(timer)
    timer = window.setTimeout(keep, PAUSE_MS)
  })
  // Closing or leaving the tab: keep what was typed since the last pause.
  window.addEventListener("pagehide", keep)
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") keep()
  })
  textarea.form?.addEventListener("submit", () => {
    keep()
    const entry = read(key)
    if (entry) write(key, { ...entry, submitted: true })
  })
}

document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail
  setUp(editor, textarea)
})
