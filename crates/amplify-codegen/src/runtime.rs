//! The fixed parts of a generated models module: AppSync's scalars as Rust types, and the
//! request builders the generated operations return. Written once here, copied into every
//! generated module (so the generated code depends only on amplify-api, amplify-config, serde,
//! serde_json and futures-util).

/// The `scalars` module body.
pub(crate) const SCALARS: &str = r#"    use std::fmt;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use ::serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// A value that is not valid for its AppSync scalar.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ScalarError {
        scalar: &'static str,
        value: String,
    }

    impl ScalarError {
        /// The scalar (`AWSDateTime`, `AWSEmail`, ...).
        pub fn scalar(&self) -> &str {
            self.scalar
        }

        /// The value that was refused.
        pub fn value(&self) -> &str {
            &self.value
        }
    }

    impl fmt::Display for ScalarError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "`{}` is not a valid {}", self.value, self.scalar)
        }
    }

    impl std::error::Error for ScalarError {}

    macro_rules! string_scalar {
        ($(#[$doc:meta])* $name:ident, $scalar:literal, $check:expr) => {
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(String);

            impl $name {
                #[doc = concat!("Checks that `value` is a valid `", $scalar, "`.")]
                ///
                /// # Errors
                ///
                /// [`ScalarError`] when it is not.
                pub fn new(value: impl Into<String>) -> Result<Self, ScalarError> {
                    let value = value.into();
                    let check: fn(&str) -> bool = $check;
                    if check(&value) {
                        Ok(Self(value))
                    } else {
                        Err(ScalarError { scalar: $scalar, value })
                    }
                }

                /// The value as AppSync sends it.
                pub fn as_str(&self) -> &str {
                    &self.0
                }

                /// The value, by value.
                pub fn into_string(self) -> String {
                    self.0
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl AsRef<str> for $name {
                fn as_ref(&self) -> &str {
                    &self.0
                }
            }

            impl From<$name> for String {
                fn from(value: $name) -> String {
                    value.0
                }
            }

            impl std::str::FromStr for $name {
                type Err = ScalarError;

                fn from_str(value: &str) -> Result<Self, ScalarError> {
                    Self::new(value)
                }
            }

            impl Serialize for $name {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(&self.0)
                }
            }

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    Self::new(String::deserialize(deserializer)?).map_err(::serde::de::Error::custom)
                }
            }
        };
    }

    string_scalar!(
        /// `AWSDateTime`: an ISO 8601 date and time with an offset, `2027-01-15T08:00:00.000Z`.
        AwsDateTime,
        "AWSDateTime",
        |v| v.split_once('T').is_some_and(|(d, t)| date_ok(d, false) && time_ok(t, true))
    );
    string_scalar!(
        /// `AWSDate`: an ISO 8601 date, `2027-01-15`, optionally with an offset.
        AwsDate,
        "AWSDate",
        |v| date_ok(v, true)
    );
    string_scalar!(
        /// `AWSTime`: an ISO 8601 time, `08:00:00.000`, optionally with an offset.
        AwsTime,
        "AWSTime",
        |v| time_ok(v, false)
    );
    string_scalar!(
        /// `AWSEmail`: an email address, `alice@example.com`.
        AwsEmail,
        "AWSEmail",
        |v| v.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
    );
    string_scalar!(
        /// `AWSURL`: a URL with a scheme, `https://example.com/a`.
        AwsUrl,
        "AWSURL",
        |v| v.split_once("://").is_some_and(|(s, rest)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) && !rest.is_empty())
    );
    string_scalar!(
        /// `AWSPhone`: a phone number, `+1 555 0100`.
        AwsPhone,
        "AWSPhone",
        |v| v.chars().filter(char::is_ascii_digit).count() >= 3 && v.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
    );
    string_scalar!(
        /// `AWSIPAddress`: an IPv4 or IPv6 address, optionally with a `/prefix`.
        AwsIpAddress,
        "AWSIPAddress",
        |v| {
            let (ip, prefix) = v.split_once('/').unwrap_or((v, "0"));
            ip.parse::<std::net::IpAddr>().is_ok() && prefix.parse::<u8>().is_ok_and(|p| p <= 128)
        }
    );

    fn digits(text: &str, len: usize) -> Option<u32> {
        (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
    }

    /// `±hh:mm`, `±hh:mm:ss`, `±hhmm` or `Z`, in minutes east of UTC.
    fn offset_minutes(text: &str) -> Option<i64> {
        if text == "Z" || text == "z" {
            return Some(0);
        }
        let sign = match text.get(..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let rest = text.get(1..)?;
        let (h, m) = match rest.len() {
            4 => (rest.get(..2)?, rest.get(2..)?),
            5 | 8 => (rest.get(..2)?, rest.get(3..5)?),
            _ => return None,
        };
        Some(sign * (i64::from(digits(h, 2)?) * 60 + i64::from(digits(m, 2)?)))
    }

    fn split_offset(text: &str) -> (&str, Option<&str>) {
        match text.find(['Z', 'z', '+', '-']) {
            Some(i) => (text.get(..i).unwrap_or(text), text.get(i..)),
            None => (text, None),
        }
    }

    fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
        let mut parts = text.splitn(3, '-');
        let year = digits(parts.next()?, 4)?;
        let month = digits(parts.next()?, 2)?;
        let day = digits(parts.next()?, 2)?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((i64::from(year), month, day))
    }

    fn date_ok(text: &str, offset_allowed: bool) -> bool {
        let (date, offset) = if offset_allowed && text.len() > 10 {
            (text.get(..10).unwrap_or(text), text.get(10..))
        } else {
            (text, None)
        };
        parse_date(date).is_some() && offset.is_none_or(|o| offset_minutes(o).is_some())
    }

    /// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.sss` in milliseconds.
    fn parse_time(text: &str) -> Option<u64> {
        let (main, fraction) = text.split_once('.').unwrap_or((text, ""));
        let mut parts = main.split(':');
        let h = digits(parts.next()?, 2)?;
        let m = digits(parts.next()?, 2)?;
        let s = parts.next().map_or(Some(0), |s| digits(s, 2))?;
        if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
            return None;
        }
        let millis = if fraction.is_empty() {
            0
        } else {
            if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let padded = format!("{fraction:0<3}");
            padded.get(..3)?.parse::<u64>().ok()?
        };
        Some((u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s)) * 1000 + millis)
    }

    fn time_ok(text: &str, offset_required: bool) -> bool {
        let (time, offset) = split_offset(text);
        parse_time(time).is_some()
            && match offset {
                Some(o) => offset_minutes(o).is_some(),
                None => !offset_required,
            }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let month = i64::from(month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    fn civil_from_days(days: i64) -> (i64, i64, i64) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        (yoe + era * 400 + i64::from(month <= 2), month, day)
    }

    fn from_unix_millis(millis: i128) -> Option<SystemTime> {
        if millis >= 0 {
            UNIX_EPOCH.checked_add(Duration::from_millis(u64::try_from(millis).ok()?))
        } else {
            UNIX_EPOCH.checked_sub(Duration::from_millis(u64::try_from(-millis).ok()?))
        }
    }

    fn unix_millis(time: SystemTime) -> i128 {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_millis()).unwrap_or(i128::MAX),
            Err(before) => -i128::try_from(before.duration().as_millis()).unwrap_or(i128::MAX),
        }
    }

    impl AwsDateTime {
        /// `time` in UTC with milliseconds, `2027-01-15T08:00:00.000Z`.
        pub fn from_system_time(time: SystemTime) -> Self {
            let millis = unix_millis(time);
            let days = i64::try_from(millis.div_euclid(86_400_000)).unwrap_or_default();
            let in_day = millis.rem_euclid(86_400_000);
            let (year, month, day) = civil_from_days(days);
            Self(format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
                in_day / 3_600_000,
                in_day / 60_000 % 60,
                in_day / 1000 % 60,
                in_day % 1000
            ))
        }

        /// The instant, with the offset applied; `None` only for instants `SystemTime` cannot
        /// hold.
        pub fn to_system_time(&self) -> Option<SystemTime> {
            let (date, rest) = self.0.split_once('T')?;
            let (year, month, day) = parse_date(date)?;
            let (time, offset) = split_offset(rest);
            let millis = i128::from(days_from_civil(year, month, day)) * 86_400_000
                + i128::from(parse_time(time)?)
                - i128::from(offset_minutes(offset?)?) * 60_000;
            from_unix_millis(millis)
        }
    }

    /// `AWSTimestamp`: seconds since the Unix epoch.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct AwsTimestamp(pub i64);

    impl AwsTimestamp {
        /// The whole seconds of `time` since the epoch.
        pub fn from_system_time(time: SystemTime) -> Self {
            Self(i64::try_from(unix_millis(time).div_euclid(1000)).unwrap_or(i64::MAX))
        }

        /// The instant; `None` only for instants `SystemTime` cannot hold.
        pub fn to_system_time(self) -> Option<SystemTime> {
            from_unix_millis(i128::from(self.0) * 1000)
        }
    }

    /// `AWSJSON`: a JSON value, sent as a string holding its JSON text as AppSync expects.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AwsJson(pub ::serde_json::Value);

    impl Serialize for AwsJson {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&self.0.to_string())
        }
    }

    impl<'de> Deserialize<'de> for AwsJson {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            match ::serde_json::Value::deserialize(deserializer)? {
                ::serde_json::Value::String(text) => ::serde_json::from_str(&text)
                    .map(AwsJson)
                    .map_err(::serde::de::Error::custom),
                other => Ok(AwsJson(other)),
            }
        }
    }

    impl From<::serde_json::Value> for AwsJson {
        fn from(value: ::serde_json::Value) -> Self {
            AwsJson(value)
        }
    }
"#;

/// The `request` module body.
pub(crate) const REQUEST: &str = r#"    use std::collections::VecDeque;
    use std::fmt;
    use std::marker::PhantomData;

    use ::amplify_api::{ApiError, ApiPlugin, GraphQlError, GraphQlOperation, GraphQlResponse};
    use ::amplify_api::{GraphQlSubscription, SubscriptionOperation};
    use ::amplify_config::AuthorizationType;
    use ::futures_util::Stream;
    use ::serde::Serialize;
    use ::serde::de::DeserializeOwned;

    /// A list result with a `nextToken`: the generated `Model*Connection` types.
    pub trait Connection {
        /// The type of the items.
        type Item;

        /// The token of the next page, `None` on the last page.
        fn next_token(&self) -> Option<&str>;

        /// The items of this page (items AppSync returned as `null` are left out).
        fn into_items(self) -> Vec<Self::Item>;
    }

    /// The variables of a request, serialized as they are set; a value that does not serialize
    /// is reported when the request is sent.
    #[derive(Debug, Clone, Default)]
    pub struct Variables {
        values: ::serde_json::Map<String, ::serde_json::Value>,
        error: Option<String>,
    }

    impl Variables {
        /// No variables.
        pub fn new() -> Self {
            Self::default()
        }

        /// Sets `name` (a `null` value is left out, which GraphQL reads the same way).
        pub fn set<V: Serialize + ?Sized>(&mut self, name: &str, value: &V) {
            match ::serde_json::to_value(value) {
                Ok(::serde_json::Value::Null) => {
                    self.values.remove(name);
                }
                Ok(value) => {
                    self.values.insert(name.to_owned(), value);
                }
                Err(error) => self.error = Some(format!("`{name}`: {error}")),
            }
        }
    }

    impl Variables {
        /// Sets `name` to `value`, taken by value (as [`set`](Self::set)).
        pub fn insert<V: Serialize>(&mut self, name: &str, value: V) {
            self.set(name, &value);
        }
    }

    impl Serialize for Variables {
        fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match &self.error {
                Some(error) => Err(::serde::ser::Error::custom(error)),
                None => self.values.serialize(serializer),
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Query,
        Mutation,
    }

    /// A generated query or mutation: set the API and mode if needed, then
    /// [`send`](Self::send). Its data is the operation's field, decoded into `T`.
    #[derive(Debug, Clone)]
    #[must_use = "a request does nothing until `send` is awaited"]
    pub struct Request<T> {
        api: ApiPlugin,
        kind: Kind,
        document: &'static str,
        field: &'static str,
        variables: Variables,
        api_name: Option<String>,
        mode: Option<AuthorizationType>,
        data: PhantomData<fn() -> T>,
    }

    impl<T: DeserializeOwned> Request<T> {
        pub(super) fn query(api: &ApiPlugin, document: &'static str, field: &'static str, variables: Variables) -> Self {
            Self::new(api, Kind::Query, document, field, variables)
        }

        pub(super) fn mutation(api: &ApiPlugin, document: &'static str, field: &'static str, variables: Variables) -> Self {
            Self::new(api, Kind::Mutation, document, field, variables)
        }

        fn new(api: &ApiPlugin, kind: Kind, document: &'static str, field: &'static str, variables: Variables) -> Self {
            Self {
                api: api.clone(),
                kind,
                document,
                field,
                variables,
                api_name: None,
                mode: None,
                data: PhantomData,
            }
        }

        /// The API to call (an `ApiName` of the generated configuration module, or its name);
        /// the default GraphQL API when not set.
        pub fn api_name(mut self, name: impl Into<String>) -> Self {
            self.api_name = Some(name.into());
            self
        }

        /// The authorization mode; the API's default mode when not set.
        pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
            self.mode = Some(mode);
            self
        }

        /// The GraphQL document this request sends.
        pub fn document(&self) -> &'static str {
            self.document
        }

        fn set<V: Serialize + ?Sized>(&mut self, name: &str, value: &V) {
            self.variables.set(name, value);
        }

        /// The amplify-api operation this request sends, for its other settings (headers,
        /// timeout); send it with `send::<T>()`.
        pub fn into_operation(self) -> GraphQlOperation {
            let operation = match self.kind {
                Kind::Query => self.api.query(self.document),
                Kind::Mutation => self.api.mutate(self.document),
            };
            operation
                .variables_from(&self.variables)
                .decode_path(self.field)
                .set_api_name(self.api_name)
                .set_authorization_mode(self.mode)
        }

        /// Sends the request. The response's `data` is `None` when the field was `null` (no
        /// such item, or an error that is in `errors`).
        ///
        /// # Errors
        ///
        /// As for amplify-api's `GraphQlOperation::send`: the request could not be built,
        /// authorized or sent, the server answered with an error status, or the data did not
        /// decode into `T`. GraphQL errors of a 2xx response are in the response's `errors`.
        pub async fn send(self) -> Result<GraphQlResponse<T>, ApiError> {
            self.into_operation().send::<T>().await
        }
    }

    /// A generated create, update or delete: [`Request`] with a typed `condition`.
    #[derive(Debug, Clone)]
    #[must_use = "a request does nothing until `send` is awaited"]
    pub struct MutationRequest<T, C> {
        request: Request<T>,
        condition: PhantomData<fn(C)>,
    }

    impl<T: DeserializeOwned, C: Serialize> MutationRequest<T, C> {
        pub(super) fn new(request: Request<T>) -> Self {
            Self { request, condition: PhantomData }
        }

        /// The condition the stored item must meet, else the mutation fails with a
        /// `ConditionalCheckFailedException` GraphQL error and changes nothing.
        pub fn condition(mut self, condition: C) -> Self {
            self.request.set("condition", &condition);
            self
        }

        /// As [`Request::api_name`].
        pub fn api_name(mut self, name: impl Into<String>) -> Self {
            self.request = self.request.api_name(name);
            self
        }

        /// As [`Request::authorization_mode`].
        pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
            self.request = self.request.authorization_mode(mode);
            self
        }

        /// As [`Request::into_operation`].
        pub fn into_operation(self) -> GraphQlOperation {
            self.request.into_operation()
        }

        /// Sends the mutation; its data is the item as the mutation left it.
        ///
        /// # Errors
        ///
        /// As for [`Request::send`]. A failed condition is a GraphQL error in the response.
        pub async fn send(self) -> Result<GraphQlResponse<T>, ApiError> {
            self.request.send().await
        }
    }

    /// Why a page of [`ListRequest::items`] could not be read.
    #[derive(Debug)]
    #[non_exhaustive]
    pub enum PageError {
        /// The request failed.
        Api(ApiError),
        /// The response had GraphQL errors and no page.
        GraphQl(Vec<GraphQlError>),
    }

    impl fmt::Display for PageError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                PageError::Api(_) => f.write_str("a page could not be fetched"),
                PageError::GraphQl(errors) => match errors.first() {
                    Some(first) => write!(f, "a page was refused: {first}"),
                    None => f.write_str("a page was empty"),
                },
            }
        }
    }

    impl std::error::Error for PageError {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            match self {
                PageError::Api(error) => Some(error),
                PageError::GraphQl(_) => None,
            }
        }
    }

    /// A generated list query: a typed `filter`, `limit` and `nextToken`, one page with
    /// [`send`](Self::send) or every page with [`pages`](Self::pages) / [`items`](Self::items).
    #[derive(Debug, Clone)]
    #[must_use = "a request does nothing until it is sent or streamed"]
    pub struct ListRequest<C, F> {
        request: Request<C>,
        filter: PhantomData<fn(F)>,
    }

    impl<C, F> ListRequest<C, F>
    where
        C: Connection + DeserializeOwned + Clone + Send + 'static,
        C::Item: Send + 'static,
        F: Serialize,
    {
        pub(super) fn new(request: Request<C>) -> Self {
            Self { request, filter: PhantomData }
        }

        /// Only items matching `filter` (applied to each page after it is read, as DynamoDB
        /// does, so a page can hold fewer than `limit` items and still have a next page).
        pub fn filter(mut self, filter: F) -> Self {
            self.request.set("filter", &filter);
            self
        }

        /// The most items read for one page.
        pub fn limit(mut self, limit: i64) -> Self {
            self.request.set("limit", &limit);
            self
        }

        /// The page to read: a previous page's `next_token`.
        pub fn next_token(mut self, token: impl Into<String>) -> Self {
            self.request.set("nextToken", &token.into());
            self
        }

        /// As [`Request::api_name`].
        pub fn api_name(mut self, name: impl Into<String>) -> Self {
            self.request = self.request.api_name(name);
            self
        }

        /// As [`Request::authorization_mode`].
        pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
            self.request = self.request.authorization_mode(mode);
            self
        }

        /// As [`Request::into_operation`].
        pub fn into_operation(self) -> GraphQlOperation {
            self.request.into_operation()
        }

        /// Reads one page.
        ///
        /// # Errors
        ///
        /// As for [`Request::send`].
        pub async fn send(self) -> Result<GraphQlResponse<C>, ApiError> {
            self.request.send().await
        }

        /// Every page, following `nextToken` until a page has none. The stream ends after an
        /// error, or after a response without a page.
        pub fn pages(self) -> impl Stream<Item = Result<GraphQlResponse<C>, ApiError>> + Send + 'static {
            ::futures_util::stream::unfold(Some(self.request), |state| async move {
                let request = state?;
                let next = request.clone();
                match request.send().await {
                    Ok(page) => {
                        let token = page.data.as_ref().and_then(|c| c.next_token()).map(str::to_owned);
                        let next = token.map(|token| {
                            let mut next = next;
                            next.set("nextToken", &token);
                            next
                        });
                        Some((Ok(page), next))
                    }
                    Err(error) => Some((Err(error), None)),
                }
            })
        }

        /// Every item of every page, in order. A page with GraphQL errors and no data ends the
        /// stream with [`PageError::GraphQl`].
        pub fn items(self) -> impl Stream<Item = Result<C::Item, PageError>> + Send + 'static {
            let pages = Box::pin(self.pages());
            ::futures_util::stream::unfold(
                (pages, VecDeque::new(), false),
                |(mut pages, mut buffer, mut done)| async move {
                    loop {
                        if let Some(item) = buffer.pop_front() {
                            return Some((Ok(item), (pages, buffer, done)));
                        }
                        if done {
                            return None;
                        }
                        match ::futures_util::StreamExt::next(&mut pages).await {
                            None => return None,
                            Some(Err(error)) => return Some((Err(PageError::Api(error)), (pages, buffer, true))),
                            Some(Ok(page)) => {
                                let (data, errors) = page.into_parts();
                                match data {
                                    Some(connection) => buffer.extend(connection.into_items()),
                                    None => {
                                        done = true;
                                        if !errors.is_empty() {
                                            return Some((Err(PageError::GraphQl(errors)), (pages, buffer, done)));
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            )
        }
    }

    /// A generated subscription: a typed `filter`, then [`start`](Self::start).
    #[derive(Debug, Clone)]
    #[must_use = "a subscription does nothing until `start` is called"]
    pub struct SubscriptionRequest<T, F> {
        api: ApiPlugin,
        document: &'static str,
        field: &'static str,
        variables: Variables,
        api_name: Option<String>,
        mode: Option<AuthorizationType>,
        types: PhantomData<fn(F) -> T>,
    }

    impl<T: DeserializeOwned, F: Serialize> SubscriptionRequest<T, F> {
        pub(super) fn new(api: &ApiPlugin, document: &'static str, field: &'static str, variables: Variables) -> Self {
            Self {
                api: api.clone(),
                document,
                field,
                variables,
                api_name: None,
                mode: None,
                types: PhantomData,
            }
        }

        /// Only events whose item matches `filter` (checked by AppSync).
        pub fn filter(mut self, filter: F) -> Self {
            self.variables.set("filter", &filter);
            self
        }

        /// As [`Request::api_name`].
        pub fn api_name(mut self, name: impl Into<String>) -> Self {
            self.api_name = Some(name.into());
            self
        }

        /// As [`Request::authorization_mode`].
        pub fn authorization_mode(mut self, mode: AuthorizationType) -> Self {
            self.mode = Some(mode);
            self
        }

        /// The amplify-api subscription this request starts, for its other settings.
        pub fn into_operation(self) -> SubscriptionOperation {
            self.api
                .subscribe(self.document)
                .variables_from(&self.variables)
                .decode_path(self.field)
                .set_api_name(self.api_name)
                .set_authorization_mode(self.mode)
        }

        /// Starts the subscription: a stream of responses whose data is the changed item.
        ///
        /// # Errors
        ///
        /// As for amplify-api's `SubscriptionOperation::start` (only what is wrong before
        /// anything is sent; later failures come through the stream).
        pub fn start(self) -> Result<GraphQlSubscription<T>, ApiError> {
            self.into_operation().start::<T>()
        }
    }
"#;
