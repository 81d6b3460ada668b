// Entry of the standalone widget bundle (dist/widgets/losslab-widgets.js): defines every element on
// load, so a page needs one <script type="module" src=".../losslab-widgets.js"> and then the tags.
import {defineAll} from "./index.js";

defineAll();
export * from "./index.js";
