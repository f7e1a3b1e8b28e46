/**
 * Every operator file: each adds its methods to DStream.prototype when imported.
 * An entry that imports DStream must import this too (index.ts and edge.ts do;
 * otherwise chains such as .flatMap(...) are missing at run time).
 * test/package/edge-safety.test.ts checks that no operator file is left out.
 */
import './cogroup-dstream.js';
import './count-by-value-and-window.js';
import './count-by-value.js';
import './count-by-window.js';
import './count.js';
import './filter-dstream.js';
import './flat-map-dstream.js';
import './flat-map-values.js';
import './foreach-dstream.js';
import './full-outer-join.js';
import './group-by-key-and-window.js';
import './group-by-key-dstream.js';
import './join.js';
import './left-outer-join.js';
import './map-dstream.js';
import './map-partitions-dstream.js';
import './map-values.js';
import './map-with-state-dstream.js';
import './print.js';
import './reduce-by-key-and-window-dstream.js';
import './reduce-by-key-dstream.js';
import './reduce-by-window.js';
import './reduce.js';
import './repartition.js';
import './right-outer-join.js';
import './save-as-text-files.js';
import './transform-dstream.js';
import './transform-with-dstream.js';
import './union-dstream.js';
import './update-state-by-key-dstream.js';
import './window-dstream.js';
