// Readiness: named components report whether they can serve. The core registers "storage"; the recommender
// registers "model" (a trained model or the popularity fallback) and sets it once loaded.
export interface ComponentState {
  ready: boolean;
  detail: string;
}

export class Readiness {
  private readonly components = new Map<string, ComponentState | (() => ComponentState)>();

  /** Sets a component's state (registering it if new). */
  set(name: string, ready: boolean, detail = ""): void {
    this.components.set(name, { ready, detail });
  }

  /** Registers a component whose state is read at every probe. */
  probe(name: string, check: () => ComponentState): void {
    this.components.set(name, check);
  }

  status(): { ready: boolean; components: Record<string, ComponentState> } {
    const components: Record<string, ComponentState> = {};
    let ready = true;
    for (const [name, c] of this.components) {
      const state = typeof c === "function" ? c() : c;
      components[name] = state;
      ready &&= state.ready;
    }
    return { ready, components };
  }
}
