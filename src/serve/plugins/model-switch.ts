// Hot swap between registry versions, all or nothing: the new version is loaded, verified, dry-run
// (loadServingModel) and its bundle built and warmed (service.swap) while the old one serves; only then are the
// registry's `current` and the served model switched, in the same turn of the event loop, so /v1/model and
// `current` never disagree. A failure at any step leaves both as they were and the next swap starts clean.
// Swaps run one at a time, in the order asked.
import type { LoadModelOptions, ModelRegistry, OpenedModel, ServingModel } from "../../artifact/index.js";
import { loadRegistryVersion } from "../../artifact/index.js";
import type { RecommenderService } from "../recommender/index.js";

export interface ModelSwitchEvents {
  swapped(opened: OpenedModel): void;
  failed(version: string, err: unknown): void;
}

export class ModelSwitch {
  private queue: Promise<void> = Promise.resolve();
  /** A version `current` named that failed to load here: following does not retry it every poll. */
  private refused: string | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly service: RecommenderService,
    private readonly events: ModelSwitchEvents,
    private readonly load?: LoadModelOptions,
  ) {}

  /** Activates `version` (writes `current`) and serves it; rejects, changing nothing, when it cannot. */
  activate(version: string): Promise<void> {
    return this.enqueue(() => this.swap(version, true));
  }

  /** Follows a `current` written by another process (a replica, an operator); never rewrites it. */
  follow(): void {
    const current = this.registry.current();
    if (!current || current === this.service.model.version || current === this.refused) return;
    this.enqueue(() => this.swap(current, false)).catch(() => {});
  }

  /** The settled end of the queue (for shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async swap(version: string, writeCurrent: boolean): Promise<void> {
    if (this.service.model.version === version && this.registry.current() === version) return;
    let next: ServingModel | undefined;
    try {
      const opened = await loadRegistryVersion(this.registry, version, this.load);
      next = opened.model;
      await this.service.swap(next, writeCurrent ? () => this.registry.activate(version) : undefined);
      this.refused = undefined;
      this.events.swapped(opened);
    } catch (err) {
      if (next && this.service.model !== next) await next.dispose?.();
      if (!writeCurrent) this.refused = version;
      this.events.failed(version, err);
      throw err;
    }
  }
}
