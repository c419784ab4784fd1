//! Decoding a response body: [`HttpResponse::text`] and [`HttpResponse::json`].
//!
//! Kept apart from [`response`](crate::response) because [`ApiError`] carries an
//! [`HttpResponse`] while these methods return an `ApiError`: with the decoders here, `response`
//! sits below `error` and no module imports back up.

use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeFailure};
use crate::response::HttpResponse;

impl HttpResponse {
    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`ApiError::Decode`] when the body is not UTF-8.
    pub fn text(&self) -> Result<&str, ApiError> {
        std::str::from_utf8(self.body()).map_err(|e| {
            let json =
                serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
            ApiError::Decode(Box::new(DecodeFailure::new(
                String::new(),
                Vec::new(),
                self.request_id().map(str::to_owned),
                json,
            )))
        })
    }

    /// Decodes the body as JSON into `T`.
    ///
    /// # Errors
    ///
    /// [`ApiError::Decode`] with the JSON path where decoding failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use amplify_api::HttpResponse;
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let response = HttpResponse::new(StatusCode::OK, HeaderMap::new(), r#"{"items":[1,2]}"#);
    /// let value: serde_json::Value = response.json()?;
    /// assert_eq!(value["items"][1], 2);
    /// # Ok::<(), amplify_api::ApiError>(())
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let mut de = serde_json::Deserializer::from_slice(self.body());
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            ApiError::Decode(Box::new(DecodeFailure::new(
                if path == "." { String::new() } else { path },
                Vec::new(),
                self.request_id().map(str::to_owned),
                e.into_inner(),
            )))
        })
    }
}
