import type {WidgetComponent} from "./element.js";

/** The part of an anywidget model a LossLab widget uses (traitlets `data` and `options`). */
export interface AnyModel {
  get(name: "data" | "options"): any;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

/**
 * An anywidget front-end module for a component (https://anywidget.dev, the AFM contract): render()
 * creates the component from the model's `data` and `options`, updates it when either changes, and
 * returns the cleanup that removes the listeners and destroys the component. Jupyter, marimo and any
 * other AFM host run the same component the notebooks use.
 */
export function toAnywidget(Component: WidgetComponent): {
  render(props: {model: AnyModel; el: HTMLElement}): () => void;
} {
  return {
    render({model, el}) {
      const options = () => ({...(model.get("options") ?? {}), document: el.ownerDocument});
      const figure = Component(model.get("data") ?? null, options());
      const update = () => figure.update(model.get("data") ?? null, options());
      model.on("change:data", update);
      model.on("change:options", update);
      el.append(figure);
      return () => {
        model.off("change:data", update);
        model.off("change:options", update);
        figure.destroy();
        figure.remove();
      };
    }
  };
}
