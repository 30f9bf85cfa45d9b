import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import type { PluginFolder } from '../config/types.js'
import type { Logger } from '../logger.js'

export interface WatchOptions {
  readonly logger: Logger
  /** How long the files must stay quiet before a change is told: editors write in several steps. Default 150 ms. */
  readonly debounceMs?: number
  /** A plugin folder to watch too (`plugin` of the file). */
  readonly plugin?: PluginFolder
}

/**
 * `rxgate run --watch`: tells `onChange` when the configuration file has changed, or a module of
 * its plugin folder. The file's folder is watched rather than the file, since editors save by
 * writing another file and renaming it over the old one, and Kubernetes swaps a ConfigMap's
 * files through a symbolic link; after any event there, and once the folder has been quiet for
 * `debounceMs`, the file is read and `onChange` told only if its text differs from the last.
 * In the plugin folder, any event on a file whose name has the folder's pattern counts.
 *
 * @example
 * const watcher = new ConfigWatcher('gateway.json', () => void reloader.reload(), { logger })
 * watcher.close()
 */
export class ConfigWatcher {
  private readonly file: string
  private readonly folder: FSWatcher
  private plugins: { readonly at: string; readonly watcher: FSWatcher } | undefined
  private timer: NodeJS.Timeout | undefined
  /** Whether a plugin module changed since the last tell. */
  private pluginChanged = false
  /**
   * The file's text when last told: an event that leaves it as it was tells nothing. Unknown at
   * first (the file may have changed since it was loaded), so the first event tells.
   */
  private text: string | undefined
  private closed = false

  constructor(
    file: string,
    private readonly onChange: () => void,
    private readonly options: WatchOptions,
  ) {
    this.file = resolve(file)
    const name = basename(this.file)
    this.folder = this.watchFolder(dirname(this.file), () => true, `the folder of ${name}`)
    this.watchPlugins(options.plugin)
  }

  /** Watches the plugin folder the file names now (none: no folder), after a reload changed it. */
  watchPlugins(plugin: PluginFolder | undefined): void {
    const at = plugin && resolve(plugin.folder)
    if (this.plugins?.at === at) return
    this.plugins?.watcher.close()
    this.plugins = undefined
    if (!plugin || !at || this.closed) return
    const watcher = this.watchFolder(
      at,
      (name) => {
        const changed = name === null || name.includes(plugin.pattern)
        if (changed) this.pluginChanged = true
        return changed
      },
      `the plugin folder ${at}`,
    )
    this.plugins = { at, watcher }
  }

  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.folder.close()
    this.plugins?.watcher.close()
  }

  private watchFolder(folder: string, counts: (name: string | null) => boolean, what: string): FSWatcher {
    // not persistent: the watch alone does not keep the process running
    const watcher = watch(folder, { persistent: false }, (_event, name) => {
      if (counts(name === null ? null : String(name))) this.settle()
    })
    watcher.on('error', (error) => this.options.logger.warn({ err: error, folder }, `${what} can no longer be watched: reload with SIGHUP`))
    return watcher
  }

  /** Waits for the folders to be quiet, then tells of a change, if there is one. */
  private settle(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.check(), this.options.debounceMs ?? 150)
  }

  private async check(): Promise<void> {
    if (this.closed) return
    const text = await readFile(this.file, 'utf8').catch(() => undefined)
    // a file missing for a moment (being replaced) is not a change: its next event will be
    const fileChanged = text !== undefined && text !== this.text
    if (fileChanged) this.text = text
    if (!fileChanged && !this.pluginChanged) return
    this.pluginChanged = false
    this.onChange()
  }
}
