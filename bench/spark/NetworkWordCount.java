/*
 * The seed's NetworkWordCount (Spark's streaming example) in plain Java, for
 * `npm run bench:spark`: socketTextStream → words → (word, 1) →
 * reduceByKey(+) → print(), on local[2] with the given batch interval. Words
 * are split on Java `\s` runs (empty words dropped), as sluice splits them.
 * A StreamingListener prints one line per completed batch:
 *
 *   SLUICE-BENCH-BATCH <batch time ms> <records> <processing ms> <scheduling ms> <total ms>
 *
 * Usage: NetworkWordCount HOST PORT BATCH_MS [spark.key=value ...]
 * (each extra argument is set on the SparkConf, e.g. backpressure)
 */
import java.util.Arrays;

import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

import scala.Option;
import scala.Tuple2;

public final class NetworkWordCount {
  private static long millis(Option<Object> delay) {
    return delay.isDefined() ? ((Long) delay.get()).longValue() : -1L;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("Usage: NetworkWordCount HOST PORT BATCH_MS [spark.key=value ...]");
      System.exit(2);
    }
    SparkConf conf = new SparkConf()
        .setMaster("local[2]")
        .setAppName("NetworkWordCount")
        .set("spark.ui.enabled", "false");
    for (int i = 3; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        System.err.println("Not a spark.key=value setting: " + args[i]);
        System.exit(2);
      }
      conf.set(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.milliseconds(Long.parseLong(args[2])));
    ssc.sparkContext().setLogLevel("ERROR");
    ssc.addStreamingListener(new StreamingListener() {
      @Override
      public void onBatchCompleted(StreamingListenerBatchCompleted completed) {
        BatchInfo info = completed.batchInfo();
        System.out.println("SLUICE-BENCH-BATCH " + info.batchTime().milliseconds() + " " + info.numRecords() + " "
            + millis(info.processingDelay()) + " " + millis(info.schedulingDelay()) + " " + millis(info.totalDelay()));
      }
    });
    JavaDStream<String> lines = ssc.socketTextStream(args[0], Integer.parseInt(args[1]));
    JavaDStream<String> words = lines.flatMap(line -> Arrays.asList(line.split("\\s+")).iterator()).filter(word -> !word.isEmpty());
    JavaPairDStream<String, Integer> wordCounts = words.mapToPair(word -> new Tuple2<>(word, 1)).reduceByKey((a, b) -> a + b);
    wordCounts.print();
    ssc.start();
    ssc.awaitTermination();
  }
}
