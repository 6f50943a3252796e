//! The production gateway queue on Redis Streams.
//!
//! - Jobs are entries of one stream (`gateway:realtime` by default, length bounded with
//!   `MAXLEN ~`), read by one consumer group with `XREADGROUP … BLOCK`.
//! - An entry is acknowledged (`XACK`, then `XDEL`) only when the worker settles it,
//!   i.e. after the resulting status is stored.
//! - Entries a crashed worker left pending longer than the visibility timeout are taken
//!   over with `XAUTOCLAIM`; the delivery count comes from `XPENDING`.
//! - A retry moves the job to a sorted set scored by its due time; a Lua script moves
//!   due jobs back into the stream. Attempts travel with the entry.
//! - Dead letters go to `<stream>:dead` with the reason.
//!
//! Connection failures surface as `StoreError::Unavailable` (the API answers 503); the
//! adapter reconnects on the next call.

use super::{decode_job, encode_job};
use crate::providers::pace::SlotBook;
use anyhow::Context;
use app::service::{Delivery, Job, JobQueue, StoreError, StoreResult};
use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Value};
use std::time::Duration;
use tokio::sync::Mutex;

/// Longest the stream may grow (approximately) before old entries are trimmed.
const MAX_STREAM_LEN: u64 = 1_000_000;
/// The consumer group every worker joins.
const GROUP: &str = "workers";

/// Moves due delayed jobs into the stream: KEYS = [stream, delayed]; ARGV = [now_ms, maxlen].
const MOVE_DUE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  local entry = cjson.decode(member)
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'job', entry.job, 'attempts', entry.attempts)
  redis.call('ZREM', KEYS[2], member)
end
return #due
";

/// The Redis Streams queue.
pub struct RedisQueue {
    client: Client,
    stream: String,
    delayed: String,
    dead: String,
    consumer: String,
    visibility: Duration,
    /// For ordinary commands.
    commands: Mutex<Option<MultiplexedConnection>>,
    /// For blocking reads, which would hold up every other command on a shared connection.
    reads: Mutex<Option<MultiplexedConnection>>,
}

fn unavailable(e: redis::RedisError) -> StoreError {
    if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() || e.is_unrecoverable_error()
    {
        StoreError::Unavailable(e.into())
    } else {
        StoreError::Internal(e.into())
    }
}

fn text(v: &Value) -> Option<String> {
    redis::from_redis_value::<String>(v.clone()).ok()
}

/// `[[id, [field, value, …]], …]` → `(id, fields)`; deleted entries (nil) are skipped.
fn entries(v: &Value) -> Vec<(String, Vec<(String, String)>)> {
    let Value::Array(items) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let Value::Array(pair) = item else {
                return None;
            };
            let id = text(pair.first()?)?;
            let Value::Array(raw) = pair.get(1)? else {
                return None;
            };
            let fields = raw
                .chunks(2)
                .filter_map(|kv| Some((text(kv.first()?)?, text(kv.get(1)?)?)))
                .collect();
            Some((id, fields))
        })
        .collect()
}

/// Now, in unix milliseconds.
fn now_ms() -> u64 {
    u64::try_from(app::service::now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The shared pace's slot book: a generic cell rate kept in one key per account (under
/// the stream's name, like every key of the queue's), with Redis's clock, so every worker process takes slots from the same schedule. Returns
/// the microseconds to wait for the slot taken.
const RESERVE_SLOT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local start = tat - burst
if start < now then start = now end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil((tat + interval - now) / 1000) + 1000)
return start - now
";

#[async_trait]
impl SlotBook for RedisQueue {
    async fn reserve(
        &self,
        key: &str,
        interval: Duration,
        burst: Duration,
    ) -> anyhow::Result<Duration> {
        let mut script = redis::cmd("EVAL");
        script
            .arg(RESERVE_SLOT)
            .arg(1)
            .arg(format!("{}:{key}", self.stream))
            .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
            .arg(u64::try_from(burst.as_micros()).unwrap_or(u64::MAX));
        let wait: i64 = self.run(&script).await?;
        Ok(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
    }
}

impl RedisQueue {
    /// Connects to `url`, creating the stream and the consumer group if needed.
    pub async fn open(url: &str, stream: &str, visibility: Duration) -> anyhow::Result<Self> {
        let client = Client::open(url).context("queue.url is not a valid redis:// url")?;
        let queue = Self {
            client,
            stream: stream.to_owned(),
            delayed: format!("{stream}:delayed"),
            dead: format!("{stream}:dead"),
            consumer: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            visibility,
            commands: Mutex::new(None),
            reads: Mutex::new(None),
        };
        queue
            .ensure_group()
            .await
            .context("connecting to Redis and creating the consumer group")?;
        Ok(queue)
    }

    /// Creates the stream and the consumer group unless they exist (a Redis restarted
    /// without persistence has neither).
    async fn ensure_group(&self) -> StoreResult<()> {
        let mut create = redis::cmd("XGROUP");
        create
            .arg("CREATE")
            .arg(&self.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM");
        match self
            .query::<Value>(&self.commands, Duration::from_secs(5), &create)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn connection(
        &self,
        slot: &Mutex<Option<MultiplexedConnection>>,
        timeout: Duration,
    ) -> Result<MultiplexedConnection, redis::RedisError> {
        let mut slot = slot.lock().await;
        if let Some(con) = slot.as_ref() {
            return Ok(con.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(timeout));
        let con = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *slot = Some(con.clone());
        Ok(con)
    }

    /// Runs `cmd` on the connection in `slot`; a connection that failed at the
    /// connection level is dropped, and the next call reconnects.
    async fn query<T: redis::FromRedisValue>(
        &self,
        slot: &Mutex<Option<MultiplexedConnection>>,
        timeout: Duration,
        cmd: &redis::Cmd,
    ) -> redis::RedisResult<T> {
        let mut con = self.connection(slot, timeout).await?;
        let result = cmd.query_async(&mut con).await;
        let broken = |e: &redis::RedisError| {
            e.is_io_error()
                || e.is_connection_dropped()
                || e.is_timeout()
                || e.is_unrecoverable_error()
        };
        if result.as_ref().is_err_and(broken) {
            *slot.lock().await = None;
        }
        result
    }

    /// Runs `cmd` on the command connection.
    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> StoreResult<T> {
        self.query(&self.commands, Duration::from_secs(5), cmd)
            .await
            .map_err(unavailable)
    }

    fn delivery(&self, id: String, fields: &[(String, String)], deliveries: u32) -> Delivery {
        let before: u32 = field(fields, "attempts")
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        Delivery {
            receipt: id,
            attempt: before + deliveries.max(1),
            job: field(fields, "job")
                .ok_or_else(|| "an entry without a job".to_owned())
                .and_then(decode_job),
        }
    }

    /// Moves delayed jobs whose time has come back into the stream.
    async fn release_due(&self) -> StoreResult<()> {
        let mut script = redis::cmd("EVAL");
        script
            .arg(MOVE_DUE)
            .arg(2)
            .arg(&self.stream)
            .arg(&self.delayed)
            .arg(now_ms())
            .arg(MAX_STREAM_LEN);
        self.run::<i64>(&script).await.map(|_| ())
    }

    /// Takes over entries other consumers left pending beyond the visibility timeout.
    async fn reclaim(&self, max: usize) -> StoreResult<Vec<Delivery>> {
        let visibility = u64::try_from(self.visibility.as_millis()).unwrap_or(u64::MAX);
        let mut claim = redis::cmd("XAUTOCLAIM");
        claim
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(visibility)
            .arg("0-0")
            .arg("COUNT")
            .arg(max);
        let reply: Value = match self
            .query(&self.commands, Duration::from_secs(5), &claim)
            .await
        {
            Err(e) if e.code() == Some("NOGROUP") => {
                self.ensure_group().await?;
                return Ok(Vec::new());
            }
            other => other.map_err(unavailable)?,
        };
        let Value::Array(parts) = &reply else {
            return Ok(Vec::new());
        };
        let claimed = parts.get(1).map(entries).unwrap_or_default();
        let mut out = Vec::with_capacity(claimed.len());
        for (id, fields) in claimed {
            // XPENDING <stream> <group> <id> <id> 1 → [[id, consumer, idle, deliveries]]
            let pending: Value = self
                .run(
                    redis::cmd("XPENDING")
                        .arg(&self.stream)
                        .arg(GROUP)
                        .arg(&id)
                        .arg(&id)
                        .arg(1),
                )
                .await?;
            let deliveries = match &pending {
                Value::Array(rows) => rows.first().and_then(|row| match row {
                    Value::Array(cols) => cols
                        .get(3)
                        .and_then(|d| redis::from_redis_value::<u32>(d.clone()).ok()),
                    _ => None,
                }),
                _ => None,
            };
            tracing::warn!(receipt = %id, "reclaimed a job a worker left unfinished");
            out.push(self.delivery(id, &fields, deliveries.unwrap_or(2)));
        }
        Ok(out)
    }

    /// Reads new entries, waiting up to `wait` for the first, on the reading connection.
    async fn read_new(&self, max: usize, wait: Duration) -> StoreResult<Vec<Delivery>> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut read = redis::cmd("XREADGROUP");
        read.arg("GROUP")
            .arg(GROUP)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(max)
            .arg("BLOCK")
            .arg(wait_ms)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">");
        let reply: Value = match self
            .query(&self.reads, wait + Duration::from_secs(5), &read)
            .await
        {
            Err(e) if e.code() == Some("NOGROUP") => {
                self.ensure_group().await?;
                return Ok(Vec::new());
            }
            other => other.map_err(unavailable)?,
        };
        // [[stream, [[id, fields], …]]] or nil when nothing arrived in time.
        let Value::Array(streams) = &reply else {
            return Ok(Vec::new());
        };
        let new = streams
            .iter()
            .filter_map(|s| match s {
                Value::Array(pair) => pair.get(1).map(entries),
                _ => None,
            })
            .flatten()
            .map(|(id, fields)| self.delivery(id, &fields, 1))
            .collect();
        Ok(new)
    }

    fn job_payload(&self, delivery: &Delivery) -> StoreResult<String> {
        delivery.job.as_ref().map(encode_job).map_err(|e| {
            StoreError::Internal(anyhow::anyhow!("cannot re-queue an unreadable job: {e}"))
        })
    }

    /// Acknowledges and deletes an entry, atomically with `extra` (the retry or dead letter).
    async fn settle(&self, delivery: &Delivery, extra: Option<redis::Cmd>) -> StoreResult<()> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        if let Some(cmd) = extra {
            pipe.add_command(cmd).ignore();
        }
        pipe.cmd("XACK")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&delivery.receipt)
            .ignore();
        pipe.cmd("XDEL")
            .arg(&self.stream)
            .arg(&delivery.receipt)
            .ignore();
        let mut con = self
            .connection(&self.commands, Duration::from_secs(5))
            .await
            .map_err(unavailable)?;
        let result: redis::RedisResult<()> = pipe.query_async(&mut con).await;
        if result.is_err() {
            *self.commands.lock().await = None;
        }
        result.map_err(unavailable)
    }
}

#[async_trait]
impl JobQueue for RedisQueue {
    async fn enqueue(&self, job: &Job) -> StoreResult<()> {
        let mut add = redis::cmd("XADD");
        add.arg(&self.stream)
            .arg("MAXLEN")
            .arg("~")
            .arg(MAX_STREAM_LEN)
            .arg("*");
        add.arg("job").arg(encode_job(job)).arg("attempts").arg(0);
        self.run::<String>(&add).await.map(|_| ())
    }

    async fn receive(&self, max: usize, wait: Duration) -> StoreResult<Vec<Delivery>> {
        self.release_due().await?;
        let mut deliveries = self.reclaim(max).await?;
        if deliveries.len() < max {
            deliveries.extend(self.read_new(max - deliveries.len(), wait).await?);
        }
        Ok(deliveries)
    }

    async fn ack(&self, delivery: &Delivery) -> StoreResult<()> {
        self.settle(delivery, None).await
    }

    async fn retry(&self, delivery: &Delivery, delay: Duration) -> StoreResult<()> {
        let due = now_ms().saturating_add(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX / 2));
        // The receipt keeps two retries of the same job distinct members of the set.
        let member = serde_json::json!({
            "job": self.job_payload(delivery)?,
            "attempts": delivery.attempt,
            "receipt": delivery.receipt,
        })
        .to_string();
        let mut add = redis::cmd("ZADD");
        add.arg(&self.delayed).arg(due).arg(member);
        self.settle(delivery, Some(add)).await
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> StoreResult<()> {
        let payload = match &delivery.job {
            Ok(job) => encode_job(job),
            Err(e) => format!("unreadable: {e}"),
        };
        let mut add = redis::cmd("XADD");
        add.arg(&self.dead)
            .arg("MAXLEN")
            .arg("~")
            .arg(MAX_STREAM_LEN)
            .arg("*");
        add.arg("job")
            .arg(payload)
            .arg("attempts")
            .arg(delivery.attempt)
            .arg("reason")
            .arg(reason);
        self.settle(delivery, Some(add)).await
    }

    async fn pending(&self) -> StoreResult<u64> {
        // XPENDING <stream> <group> → [count, first id, last id, per-consumer counts]
        let summary: Value = self
            .run(redis::cmd("XPENDING").arg(&self.stream).arg(GROUP))
            .await?;
        Ok(match &summary {
            Value::Array(parts) => parts
                .first()
                .and_then(|c| redis::from_redis_value::<u64>(c.clone()).ok()),
            _ => None,
        }
        .unwrap_or(0))
    }

    async fn depth(&self) -> StoreResult<u64> {
        let waiting: u64 = self.run(redis::cmd("XLEN").arg(&self.stream)).await?;
        let delayed: u64 = self.run(redis::cmd("ZCARD").arg(&self.delayed)).await?;
        Ok(waiting + delayed)
    }
}
