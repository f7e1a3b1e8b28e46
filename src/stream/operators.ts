/**
 * Every operator file: each adds its methods to DStream.prototype when imported.
 * An entry that imports DStream must import this too (index.ts exports each file;
 * edge.ts imports this list), or chains such as .flatMap(...) are missing at run time.
 * test/package/edge-safety.test.ts checks that no operator file is left out.
 */
import './cogroup-dstream.js';
import './count-by-value-and-window.js';
import './count-by-value.js';
import './count-by-window.js';
import './count.js';
import './filter-dstream.js';
import './flat-map-dstream.js';
import './foreach-dstream.js';
import './full-outer-join.js';
import './group-by-key-dstream.js';
import './join.js';
import './left-outer-join.js';
import './map-dstream.js';
import './map-partitions-dstream.js';
import './map-with-state-dstream.js';
import './print.js';
import './reduce-by-key-and-window-dstream.js';
import './reduce-by-key-dstream.js';
import './reduce-by-window.js';
import './reduce.js';
import './right-outer-join.js';
import './save-as-text-files.js';
import './transform-dstream.js';
import './union-dstream.js';
import './update-state-by-key-dstream.js';
import './window-dstream.js';
