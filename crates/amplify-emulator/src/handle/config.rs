//! The configuration documents an app reads, pointing at the running emulator.

use super::EmulatorHandle;
use crate::config_docs;

impl EmulatorHandle {
    /// A Gen 1 `amplifyconfiguration.json` in the native format (Amplify Android, iOS and
    /// Flutter) pointing at the emulator.
    ///
    /// The native Gen 1 format has no key for guest access, so a reader finds it not stated
    /// (allowed); [`amplify_outputs_json`](Self::amplify_outputs_json) states the identity
    /// pool's setting.
    pub fn amplify_configuration_json(&self) -> String {
        config_docs::gen1(self.backend.layout(), &self.endpoint).to_string()
    }

    /// A Gen 2 `amplify_outputs.json` pointing at the emulator.
    pub fn amplify_outputs_json(&self) -> String {
        config_docs::gen2(self.backend.layout(), &self.endpoint).to_string()
    }

    /// The Gen 1 web document as JSON: the flat `aws_*` object the Amplify CLI writes to
    /// `aws-exports.js` and, for JavaScript projects, to `src/amplifyconfiguration.json`, which
    /// Amplify JS's `Amplify.configure` reads as is.
    ///
    /// The web format has no key for a custom Cognito endpoint (Amplify JS v6 reads none from
    /// it), so an app adds `Auth.Cognito.userPoolEndpoint` and `identityPoolEndpoint` (the
    /// emulator's [`endpoint`](Self::endpoint)) to the parsed configuration, as it does for
    /// `amplify_outputs.json`. Neither has it a key for an app client secret, groups or a REST
    /// API's authorization mode (REST APIs are signed with IAM).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = amplify_emulator::Emulator::start().await?;
    /// let web: serde_json::Value = serde_json::from_str(&emulator.aws_exports_json())?;
    /// assert_eq!(web["aws_user_pools_id"], emulator.user_pool_id());
    /// assert_eq!(web["aws_appsync_graphqlEndpoint"], emulator.graphql_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn aws_exports_json(&self) -> String {
        config_docs::web(self.backend.layout(), &self.endpoint).to_string()
    }

    /// `aws-exports.js` as the Amplify CLI writes it: an ES module whose default export,
    /// `awsmobile`, is the document of [`aws_exports_json`](Self::aws_exports_json).
    pub fn aws_exports_js(&self) -> String {
        config_docs::web_module(&config_docs::web(self.backend.layout(), &self.endpoint))
    }
}
