//! Frames from a webcam (nokhwa; Video4Linux on Linux).

use image::GrayImage;
use nokhwa::pixel_format::LumaFormat;
use nokhwa::utils::{ApiBackend, CameraIndex, RequestedFormat, RequestedFormatType};

use crate::Error;

fn err(e: impl std::fmt::Display) -> Error {
    Error::Camera(e.to_string())
}

/// The cameras found: (index, name).
pub fn list() -> Result<Vec<(u32, String)>, Error> {
    let found = nokhwa::query(ApiBackend::Auto).map_err(err)?;
    Ok(found
        .iter()
        .filter_map(|c| match c.index() {
            CameraIndex::Index(i) => Some((*i, c.human_name())),
            CameraIndex::String(_) => None,
        })
        .collect())
}

/// An open camera streaming grey frames.
pub struct Camera(nokhwa::Camera);

impl Camera {
    pub fn open(index: u32) -> Result<Self, Error> {
        let format =
            RequestedFormat::new::<LumaFormat>(RequestedFormatType::AbsoluteHighestFrameRate);
        let mut cam = nokhwa::Camera::new(CameraIndex::Index(index), format)
            .map_err(|e| Error::Camera(format!("cannot open camera {index}: {e}")))?;
        cam.open_stream().map_err(err)?;
        Ok(Camera(cam))
    }

    /// The next frame, in grey.
    pub fn grab(&mut self) -> Result<GrayImage, Error> {
        let frame = self.0.frame().map_err(err)?;
        let img = frame.decode_image::<LumaFormat>().map_err(err)?;
        let (w, h) = (img.width(), img.height());
        GrayImage::from_raw(w, h, img.into_raw())
            .ok_or_else(|| err("the camera frame has the wrong size"))
    }
}
